import type { NotificationRequest } from '../../../lib/notifications/decide.ts';
import { defaultPreferences, type NotificationPreferences } from '../../../lib/notifications/preferences.ts';

export const T0 = '2026-03-02T10:00:00.000Z';

/** A shipment reaching a status, as the trigger of ShipmentStatusChanged writes it. */
export function request(overrides: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    type: 'delivered',
    customerId: 'cust-1',
    zone: 'eu',
    orderId: 'ord-1',
    subjectId: 'shp-1',
    status: 'delivered',
    occurredAt: T0,
    sourceEventId: 'shipment:shp-1:status:delivered:2026-03-02T10:00:00.000Z',
    details: { carrier: 'dhl', trackingNumber: '1234567890', signatureRequired: false },
    ...overrides,
  };
}

/** Saved preferences: email and SMS, consent recorded for SMS. */
export function prefs(overrides: Partial<NotificationPreferences> = {}): NotificationPreferences {
  return {
    ...defaultPreferences('cust-1', 'eu'),
    locale: 'fr-FR',
    timeZone: 'Europe/Paris',
    channels: { delivered: ['email', 'sms'] },
    contacts: { email: 'claire@example.com', phone: '+33612345678' },
    consent: { sms: { granted: true, source: 'account_settings', at: '2026-01-01T00:00:00.000Z' } },
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}
