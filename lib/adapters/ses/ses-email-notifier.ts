import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeliveryRejectedError } from '../../notifications/errors.ts';
import type { Notifier, OutboundMessage } from '../../notifications/ports.ts';
import { deliveryErrorOf } from './sdk-delivery-errors.ts';

/** Props of {@link SesEmailNotifier}. */
export interface SesEmailNotifierProps {
  /** Built with `maxAttempts: 1` (see `deliveryErrorOf`). */
  readonly client: Pick<SESv2Client, 'send'>;
  /** A verified SES identity, e.g. `Maison <orders@maison.example>`. */
  readonly from: string;
  /**
   * The configuration set that records bounces, complaints and deliveries.
   * @default - the identity's default configuration set, if any
   */
  readonly configurationSetName?: string | undefined;
}

/** SES refuses these for the message itself, not for the state of the account or the service. */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException']);

/** Sends email notifications through Amazon SES (v2 `SendEmail`, plain text, UTF-8). */
export class SesEmailNotifier implements Notifier {
  constructor(private readonly props: SesEmailNotifierProps) {}

  async send(message: OutboundMessage): Promise<{ providerMessageId: string }> {
    if (message.channel !== 'email') {
      throw new DeliveryRejectedError(`SES sends email, not ${message.channel}`, 'wrong_channel');
    }
    try {
      const { MessageId } = await this.props.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.props.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.body, Charset: 'UTF-8' } },
            },
          },
          // Tag values allow letters, digits, `_` and `-`: the type names fit as they are.
          EmailTags: [{ Name: 'notification_type', Value: message.type }],
          ...(this.props.configurationSetName
            ? { ConfigurationSetName: this.props.configurationSetName }
            : {}),
        }),
      );
      return { providerMessageId: MessageId ?? 'ses-unknown' };
    } catch (error) {
      throw deliveryErrorOf(error, PERMANENT);
    }
  }
}
