import { createHash } from 'node:crypto';

/** What the issuer (or Radar) answers when a test card is charged. */
export type CardOutcome =
  | { readonly kind: 'authorize'; readonly riskLevel: 'normal' | 'elevated' }
  | {
      readonly kind: 'decline';
      /** Stripe's error `code` (`card_declined`, `expired_card`, ...). */
      readonly code: string;
      readonly declineCode: string;
      readonly message: string;
      /** `blocked`: Radar stopped it before the issuer saw it. */
      readonly outcomeType: 'issuer_declined' | 'blocked';
      readonly riskLevel: 'normal' | 'highest';
    };

/** A Stripe test PaymentMethod and how it behaves. */
export interface TestPaymentMethod {
  readonly id: string;
  readonly brand: 'visa' | 'mastercard' | 'amex';
  readonly last4: string;
  readonly funding: 'credit' | 'debit';
  /** `required`: confirmation stops at `requires_action`; `optional`: only when 3DS is requested. */
  readonly threeDSecure: 'required' | 'optional' | 'not_supported';
  /** The outcome once any 3DS challenge has been passed. */
  readonly outcome: CardOutcome;
}

const authorize = (riskLevel: 'normal' | 'elevated' = 'normal'): CardOutcome => ({
  kind: 'authorize',
  riskLevel,
});
const issuerDecline = (
  declineCode: string,
  message = 'Your card was declined.',
  code = 'card_declined',
): CardOutcome => ({
  kind: 'decline',
  code,
  declineCode,
  message,
  outcomeType: 'issuer_declined',
  riskLevel: 'normal',
});
const radarBlock: CardOutcome = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'fraudulent',
  message: 'Your card was declined.',
  outcomeType: 'blocked',
  riskLevel: 'highest',
};

type Card = Omit<TestPaymentMethod, 'id'>;
/** A test card, a Visa credit card unless overridden. */
const card = (
  last4: string,
  outcome: CardOutcome,
  threeDSecure: Card['threeDSecure'] = 'optional',
): Card => ({
  brand: 'visa',
  last4,
  funding: 'credit',
  threeDSecure,
  outcome,
});

/**
 * The test PaymentMethods the local gateway understands, named as in Stripe's testing docs
 * (docs.stripe.com/testing, /radar/testing, /payments/3d-secure). Stripe's sandbox answers the same ids
 * the same way, so a flow tried locally behaves alike in the sandbox.
 */
export const TEST_PAYMENT_METHODS: Readonly<Record<string, TestPaymentMethod>> = Object.fromEntries(
  (
    [
      ['pm_card_visa', card('4242', authorize())],
      ['pm_card_visa_debit', { ...card('5556', authorize()), funding: 'debit' }],
      ['pm_card_mastercard', { ...card('4444', authorize()), brand: 'mastercard' }],
      ['pm_card_amex', { ...card('0005', authorize()), brand: 'amex' }],
      [
        'pm_card_amex_threeDSecureNotSupported',
        { ...card('0005', authorize(), 'not_supported'), brand: 'amex' },
      ],
      ['pm_card_threeDSecureOptional', card('3055', authorize())],
      // Issuer declines.
      ['pm_card_chargeDeclined', card('0002', issuerDecline('generic_decline'))],
      ['pm_card_visa_chargeDeclined', card('0002', issuerDecline('generic_decline'))],
      [
        'pm_card_chargeDeclinedInsufficientFunds',
        card('9995', issuerDecline('insufficient_funds', 'Your card has insufficient funds.')),
      ],
      [
        'pm_card_visa_chargeDeclinedInsufficientFunds',
        card('9995', issuerDecline('insufficient_funds', 'Your card has insufficient funds.')),
      ],
      ['pm_card_visa_chargeDeclinedLostCard', card('9987', issuerDecline('lost_card'))],
      ['pm_card_visa_chargeDeclinedStolenCard', card('9979', issuerDecline('stolen_card'))],
      [
        'pm_card_chargeDeclinedExpiredCard',
        card('0069', issuerDecline('expired_card', 'Your card has expired.', 'expired_card')),
      ],
      [
        'pm_card_chargeDeclinedIncorrectCvc',
        card(
          '0127',
          issuerDecline('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
        ),
      ],
      [
        'pm_card_chargeDeclinedProcessingError',
        card(
          '0119',
          issuerDecline(
            'processing_error',
            'An error occurred while processing your card. Try again in a little while.',
            'processing_error',
          ),
        ),
      ],
      [
        'pm_card_visa_chargeDeclinedVelocityLimitExceeded',
        card('6975', issuerDecline('card_velocity_exceeded')),
      ],
      // Radar.
      ['pm_card_riskLevelElevated', card('9235', authorize('elevated'))],
      ['pm_card_riskLevelHighest', card('4954', radarBlock)],
      ['pm_card_radarBlock', card('0019', radarBlock)],
      ['pm_card_chargeDeclinedFraudulent', card('0019', radarBlock)],
      ['pm_card_visa_chargeDeclinedFraudulent', card('0019', radarBlock)],
      // 3D Secure.
      ['pm_card_threeDSecureRequired', card('3063', authorize(), 'required')],
      ['pm_card_threeDSecure2Required', card('3220', authorize(), 'required')],
      ['pm_card_authenticationRequired', card('3184', authorize(), 'required')],
      [
        'pm_card_threeDSecureRequiredChargeDeclined',
        card('1629', issuerDecline('generic_decline'), 'required'),
      ],
      [
        'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds',
        card('3178', issuerDecline('insufficient_funds', 'Your card has insufficient funds.'), 'required'),
      ],
    ] as const
  ).map(([id, card]) => [id, { id, ...card }]),
);

/** The ids the local gateway accepts, for error messages and the dev route's documentation. */
export const TEST_PAYMENT_METHOD_IDS = Object.keys(TEST_PAYMENT_METHODS);

/** The test PaymentMethod with this id, if the local gateway simulates it. */
export function testPaymentMethod(id: string): TestPaymentMethod | undefined {
  return Object.hasOwn(TEST_PAYMENT_METHODS, id) ? TEST_PAYMENT_METHODS[id] : undefined;
}

/**
 * A stable fingerprint per test card number (brand and last four), as Stripe gives the same card the
 * same fingerprint: two aliases of one card share it, which is what returns and fraud checks rely on.
 */
export function fingerprintOf(method: TestPaymentMethod): string {
  return createHash('sha256').update(`${method.brand}:${method.last4}`).digest('base64url').slice(0, 16);
}
