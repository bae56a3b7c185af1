import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../../lib/notifications/preferences.ts';
import {
  carrierDisplayName,
  renderNotification,
  resolveLocale,
  TEMPLATE_LOCALES,
  type TemplateInput,
} from '../../../lib/notifications/templates.ts';

const links = {
  order: 'https://shop.example/account/orders/ord-1',
  tracking: 'https://shop.example/account/orders/ord-1/shipments/shp-1',
  reschedule: 'https://shop.example/account/orders/ord-1/shipments/shp-1/delivery?option=reschedule',
  pickup: 'https://shop.example/account/orders/ord-1/shipments/shp-1/delivery?option=pickup-point',
};

const input = (overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  type: 'shipped',
  locale: 'en',
  timeZone: 'Europe/Paris',
  orderNumber: 'V-24-000123',
  carrier: 'dhl',
  trackingNumber: '1234567890',
  estimate: { earliest: '2026-03-04', latest: '2026-03-06' },
  links,
  ...overrides,
});

describe('resolveLocale', () => {
  it('uses the language of the tag, and English for languages without a phrasebook', () => {
    expect(resolveLocale('fr-CH')).toBe('fr');
    expect(resolveLocale('de-AT')).toBe('de');
    expect(resolveLocale('ja')).toBe('ja');
    expect(resolveLocale('pt-BR')).toBe('en');
    expect(resolveLocale('ko-KR')).toBe('en');
  });
});

describe('renderNotification', () => {
  it.each(TEMPLATE_LOCALES.flatMap((locale) => NOTIFICATION_TYPES.map((type) => [locale, type] as const)))(
    'writes %s %s with the order number, its link and no gaps',
    (locale, type) => {
      const text = renderNotification(
        input({ locale, type, locationName: 'Paris Avenue Montaigne boutique' }),
      );
      expect(text.locale).toBe(locale);
      for (const part of [text.subject, text.body, text.short]) {
        expect(part).toContain('V-24-000123');
        expect(part).not.toMatch(/undefined|null|\$\{|NaN/);
        expect(part).not.toMatch(/ {2}/);
      }
      expect(text.body).toMatch(/https:\/\/shop\.example\//);
      expect(text.short).toMatch(/https:\/\/shop\.example\//);
    },
  );

  it('offers both the reschedule and the pickup-point links after a failed attempt, in every language', () => {
    for (const locale of TEMPLATE_LOCALES) {
      const text = renderNotification(input({ locale, type: 'delivery_attempted' }));
      expect(text.body).toContain(links.reschedule);
      expect(text.body).toContain(links.pickup);
      expect(text.short).toContain(links.reschedule);
      expect(text.short).toContain(links.pickup);
    }
  });

  it('names the carrier, the tracking number and the window in the reader’s language', () => {
    expect(renderNotification(input()).body).toContain(
      'DHL is delivering your order V-24-000123 (tracking number 1234567890). Expected delivery: March 4 – March 6.',
    );
    expect(renderNotification(input({ locale: 'fr-FR' })).body).toContain(
      'Livraison prévue : 4 mars – 6 mars.',
    );
    expect(renderNotification(input({ locale: 'de-DE' })).body).toContain(
      'Voraussichtliche Zustellung: 4. März – 6. März.',
    );
    expect(renderNotification(input({ locale: 'ja-JP' })).body).toContain('お届け予定：3月4日～3月6日。');
    expect(renderNotification(input({ locale: 'en-GB' })).body).toContain('4 March – 6 March');
  });

  it('falls back to English for a language without a phrasebook, formatting dates in English too', () => {
    const text = renderNotification(input({ locale: 'pt-BR' }));
    expect(text.locale).toBe('en');
    expect(text.subject).toBe('Your order V-24-000123 is on its way');
    expect(text.body).toContain('March 4 – March 6');
  });

  it('leaves out what it does not know', () => {
    const text = renderNotification(
      input({
        carrier: undefined,
        trackingNumber: undefined,
        estimate: undefined,
        links: { order: links.order },
      }),
    );
    expect(text.body).toBe(
      'The carrier is delivering your order V-24-000123.\n\nFollow your parcel: https://shop.example/account/orders/ord-1',
    );
    expect(renderNotification(input({ type: 'late', estimate: undefined, locale: 'it' })).body).toContain(
      'non è arrivato alla data prevista.',
    );
  });

  it('says when a signature is needed, and gives the collection deadline in the customer’s time zone', () => {
    expect(renderNotification(input({ type: 'out_for_delivery', signatureRequired: true })).body).toContain(
      'Someone will need to sign for it.',
    );
    const pickup = renderNotification(
      input({
        type: 'ready_for_pickup',
        locale: 'fr-FR',
        timeZone: 'Europe/Paris',
        locationName: 'Paris Avenue Montaigne boutique',
        collectBy: '2026-03-16T18:00:00.000Z',
      }),
    );
    expect(pickup.body).toContain('Lieu de retrait : Paris Avenue Montaigne boutique.');
    expect(pickup.body).toContain('16 mars 2026');
    expect(pickup.body).toContain('19:00');
    expect(renderNotification(input({ type: 'ready_for_pickup', reissued: true })).subject).toBe(
      'A new collection code for your order V-24-000123',
    );
  });

  it('writes carriers their own way', () => {
    expect(carrierDisplayName('fedex')).toBe('FedEx');
    expect(carrierDisplayName('house-courier')).toBe('House Courier');
  });
});
