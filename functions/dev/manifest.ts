import {
  devAuthenticatePaymentRoute,
  devConfirmPaymentRoute,
  devOutboxRoute,
  devTokenRoute,
} from '#lib/contracts/routes/dev.ts';
import { defineService } from '#lib/platform/manifest.ts';

/** Routes served by the local runtime only; the CDK stacks skip every `localOnly` route. */
export const devService = defineService({
  name: 'dev',
  functions: {
    devToken: {
      entry: 'functions/dev/dev-token.ts',
      description: 'Issues dev JWTs from the local issuer',
      routes: [devTokenRoute],
    },
    devPayments: {
      entry: 'functions/dev/dev-payments.ts',
      description: 'Plays the shopper confirming payments on the local payment gateway',
      routes: [devConfirmPaymentRoute, devAuthenticatePaymentRoute],
    },
    devOutbox: {
      entry: 'functions/dev/dev-outbox.ts',
      description: 'Shows the notifications the local runtime sent instead of emailing or texting anyone',
      routes: [devOutboxRoute],
    },
  },
});
