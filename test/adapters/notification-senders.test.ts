import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  InvalidParameterException,
  OptedOutException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesEmailNotifier } from '../../lib/adapters/ses/ses-email-notifier.ts';
import { SnsSmsNotifier } from '../../lib/adapters/sms/sns-sms-notifier.ts';
import { DeliveryNotSentError, DeliveryRejectedError } from '../../lib/notifications/errors.ts';
import type { OutboundMessage } from '../../lib/notifications/ports.ts';
import { notifierByChannel } from '../../lib/notifications/ports.ts';

const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  dedupeKey: 'notify:cust-1:shipped:shp-1:shipped:email',
  channel: 'email',
  to: 'claire@example.com',
  customerId: 'cust-1',
  type: 'shipped',
  locale: 'fr',
  subject: 'Votre commande V-1 est en route',
  body: 'DHL achemine votre commande V-1.',
  ...overrides,
});

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('SesEmailNotifier', () => {
  const ses = mockClient(SESv2Client);
  const notifier = new SesEmailNotifier({
    client: new SESv2Client({ region: 'eu-west-1', maxAttempts: 1 }),
    from: 'Maison <orders@maison.example>',
    configurationSetName: 'notifications',
  });
  beforeEach(() => ses.reset());

  it('sends a UTF-8 text email from the identity, tagged with its type', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-123' });
    expect(await notifier.send(message())).toEqual({ providerMessageId: 'ses-123' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'Maison <orders@maison.example>',
      Destination: { ToAddresses: ['claire@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Votre commande V-1 est en route', Charset: 'UTF-8' },
          Body: { Text: { Data: 'DHL achemine votre commande V-1.', Charset: 'UTF-8' } },
        },
      },
      EmailTags: [{ Name: 'notification_type', Value: 'shipped' }],
      ConfigurationSetName: 'notifications',
    });
  });

  it('reads a refused message as rejected, throttling as not sent, a timeout as unknown', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }))
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', ...meta(429) }))
      .rejectsOnce(refused)
      .rejectsOnce(timeout);
    await expect(notifier.send(message())).rejects.toMatchObject({
      constructor: DeliveryRejectedError,
      reason: 'message_rejected',
    });
    await expect(notifier.send(message())).rejects.toMatchObject({
      constructor: DeliveryNotSentError,
      reason: 'too_many_requests',
    });
    await expect(notifier.send(message())).rejects.toMatchObject({
      constructor: DeliveryNotSentError,
      reason: 'econnrefused',
    });
    await expect(notifier.send(message())).rejects.toBe(timeout);
  });

  it('refuses another channel without calling SES', async () => {
    await expect(notifier.send(message({ channel: 'sms' }))).rejects.toBeInstanceOf(DeliveryRejectedError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('SnsSmsNotifier', () => {
  const sns = mockClient(SNSClient);
  const notifier = new SnsSmsNotifier({
    client: new SNSClient({ region: 'eu-west-1', maxAttempts: 1 }),
    senderId: 'MAISON',
  });
  beforeEach(() => sns.reset());

  it('publishes a transactional SMS to the number, from the sender id', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const sms = message({ channel: 'sms', to: '+33612345678', body: 'Votre commande V-1 a été expédiée.' });
    expect(await notifier.send(sms)).toEqual({ providerMessageId: 'sns-1' });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      PhoneNumber: '+33612345678',
      Message: 'Votre commande V-1 a été expédiée.',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'MAISON' },
      },
    });
  });

  it('reads an invalid or opted-out number as rejected, and throttling as not sent', async () => {
    const sms = message({ channel: 'sms', to: '+33612345678' });
    sns
      .on(PublishCommand)
      .rejectsOnce(new InvalidParameterException({ message: 'Invalid parameter: PhoneNumber', ...meta(400) }))
      .rejectsOnce(new OptedOutException({ message: 'opted out', ...meta(400) }))
      .rejectsOnce(new ThrottledException({ message: 'throttled', ...meta(400) }));
    await expect(notifier.send(sms)).rejects.toMatchObject({ reason: 'invalid_parameter', retryable: false });
    await expect(notifier.send(sms)).rejects.toMatchObject({ reason: 'opted_out', retryable: false });
    await expect(notifier.send(sms)).rejects.toMatchObject({ reason: 'throttled', retryable: true });
  });
});

describe('notifierByChannel', () => {
  it('routes by channel and rejects a channel nobody sends', async () => {
    const sent: string[] = [];
    const notifier = notifierByChannel({
      email: {
        send: async (m) => {
          sent.push(m.to);
          return { providerMessageId: 'e' };
        },
      },
    });
    await notifier.send(message());
    expect(sent).toEqual(['claire@example.com']);
    await expect(notifier.send(message({ channel: 'whatsapp', to: '+33612345678' }))).rejects.toMatchObject({
      reason: 'channel_unavailable',
    });
  });
});
