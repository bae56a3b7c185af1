import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import { FixedClock } from '../support/fakes.ts';
import { describePaymentGatewayContract } from './payment-gateway.contract.ts';

describePaymentGatewayContract('LocalPaymentGateway', async () => {
  const clock = new FixedClock();
  const gateway = new LocalPaymentGateway({ clock });
  return {
    gateway,
    confirm: async (id, paymentMethod) => {
      await gateway.confirm(id, paymentMethod);
    },
    now: () => clock.now().getTime(),
    close: async () => {},
  };
});
