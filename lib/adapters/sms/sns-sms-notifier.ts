import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeliveryRejectedError } from '../../notifications/errors.ts';
import type { Notifier, OutboundMessage } from '../../notifications/ports.ts';
import { deliveryErrorOf } from '../ses/sdk-delivery-errors.ts';

/** Props of {@link SnsSmsNotifier}. */
export interface SnsSmsNotifierProps {
  /** Built with `maxAttempts: 1` (see `deliveryErrorOf`). */
  readonly client: Pick<SNSClient, 'send'>;
  /**
   * The alphanumeric sender id shown where countries allow one (`MAISON`, up to 11 characters).
   * @default - the account's default
   */
  readonly senderId?: string | undefined;
  /**
   * The number or short code to send from, where countries require one (the US, Canada).
   * @default - the account's default origination identity
   */
  readonly originationNumber?: string | undefined;
}

/** SNS refuses these for the message or its number; anything else is about the account or the service. */
const PERMANENT = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'OptedOutException',
]);

/**
 * Sends SMS notifications through Amazon SNS `Publish` to a phone number, as `Transactional` messages:
 * routed for reliability rather than cost, as order updates need.
 */
export class SnsSmsNotifier implements Notifier {
  constructor(private readonly props: SnsSmsNotifierProps) {}

  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    if (message.channel !== 'sms') {
      throw new DeliveryRejectedError(`SNS SMS sends text messages, not ${message.channel}`, 'wrong_channel');
    }
    try {
      const { MessageId } = await this.props.client.send(
        new PublishCommand({
          PhoneNumber: message.to,
          Message: message.body,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.props.senderId
              ? { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.props.senderId } }
              : {}),
            ...(this.props.originationNumber
              ? {
                  'AWS.MM.SMS.OriginationNumber': {
                    DataType: 'String',
                    StringValue: this.props.originationNumber,
                  },
                }
              : {}),
          },
        }),
      );
      return { providerMessageId: MessageId ?? 'sns-unknown' };
    } catch (error) {
      throw deliveryErrorOf(error, PERMANENT);
    }
  }
}
