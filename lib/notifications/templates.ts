import type { NotificationType } from './preferences.ts';

/** The languages messages are written in; any other language gets English. */
export const TEMPLATE_LOCALES = ['en', 'fr', 'de', 'it', 'es', 'ja'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];

/** What a message may say, as the use case knows it. Absent facts are left out of the text. */
export interface TemplateInput {
  readonly type: NotificationType;
  /** The customer's language tag (`fr-CH`); dates are formatted in it. */
  readonly locale: string;
  /** The time zone instants (the collection deadline) are written in. */
  readonly timeZone: string;
  readonly orderNumber: string;
  /** The carrier's slug (`dhl`, `colissimo`). */
  readonly carrier?: string | undefined;
  readonly trackingNumber?: string | undefined;
  /** The delivery window, as calendar dates. */
  readonly estimate?: { readonly earliest: string; readonly latest: string } | undefined;
  readonly signatureRequired?: boolean | undefined;
  readonly locationName?: string | undefined;
  /** The collection deadline of a click-and-collect order, an instant. */
  readonly collectBy?: string | undefined;
  /** A new collection code replaced the previous one. */
  readonly reissued?: boolean | undefined;
  readonly links: {
    readonly order: string;
    readonly tracking?: string | undefined;
    readonly reschedule?: string | undefined;
    readonly pickup?: string | undefined;
  };
}

/** A message in one language: `subject` and `body` for email, `short` for SMS, push and WhatsApp. */
export interface RenderedNotification {
  readonly locale: TemplateLocale;
  readonly subject: string;
  readonly body: string;
  readonly short: string;
}

/** Formatted facts, each optional part already in the message's language. */
interface Vars {
  readonly n: string;
  readonly carrier: string | undefined;
  readonly tracking: string | undefined;
  readonly window: string | undefined;
  readonly latest: string | undefined;
  readonly signature: boolean;
  readonly location: string | undefined;
  readonly collectBy: string | undefined;
  readonly reissued: boolean;
  readonly orderUrl: string;
  readonly trackingUrl: string;
  readonly rescheduleUrl: string;
  readonly pickupUrl: string;
}

type Text = Omit<RenderedNotification, 'locale'>;
type Phrasebook = Readonly<Record<NotificationType, (v: Vars) => Text>>;

const opt = (value: string | undefined, write: (value: string) => string) =>
  value === undefined ? '' : write(value);

const en: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `Your order ${v.n} is confirmed`,
    body: `Thank you for your order ${v.n}. We are preparing it with care and will write again as soon as it is on its way.\n\nView your order: ${v.orderUrl}`,
    short: `Your order ${v.n} is confirmed. Thank you. ${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `A new collection code for your order ${v.n}`,
          body: `A new collection code has been issued for your order ${v.n}; the previous one no longer works. Show it at the boutique: ${v.orderUrl}`,
          short: `New collection code for your order ${v.n}: ${v.orderUrl}`,
        }
      : {
          subject: `Your order ${v.n} is ready to collect`,
          body: `Your order ${v.n} is waiting for you${opt(v.location, (l) => ` at ${l}`)}.${opt(v.collectBy, (d) => ` Please collect it by ${d}.`)} Show the collection code from your order at the boutique: ${v.orderUrl}`,
          short: `Your order ${v.n} is ready to collect${opt(v.location, (l) => ` at ${l}`)}. Your code: ${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `Your order ${v.n} is on its way`,
    body: `${v.carrier ?? 'The carrier'} is delivering your order ${v.n}${opt(v.tracking, (t) => ` (tracking number ${t})`)}.${opt(v.window, (w) => ` Expected delivery: ${w}.`)}${v.signature ? ' A signature will be required on delivery.' : ''}\n\nFollow your parcel: ${v.trackingUrl}`,
    short: `Your order ${v.n} has shipped${opt(v.carrier, (c) => ` with ${c}`)}${opt(v.window, (w) => `, expected ${w}`)}. ${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `Your order ${v.n} arrives today`,
    body: `${v.carrier ?? 'The carrier'} will deliver your order ${v.n} today.${v.signature ? ' Someone will need to sign for it.' : ''}\n\nFollow your parcel: ${v.trackingUrl}`,
    short: `Your order ${v.n} is out for delivery today.${v.signature ? ' Signature required.' : ''} ${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `Your order ${v.n} is running late`,
    body: `Your order ${v.n} has not arrived by the expected date${opt(v.latest, (d) => ` (${d})`)}. We are sorry, and we are following it closely with ${v.carrier ?? 'the carrier'}.\n\nFollow your parcel: ${v.trackingUrl}`,
    short: `Your order ${v.n} is running late; we are following it with ${v.carrier ?? 'the carrier'}. ${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `We missed you: delivery of your order ${v.n}`,
    body: `${v.carrier ?? 'The carrier'} tried to deliver your order ${v.n} but could not hand it over.\n\nChoose another delivery day: ${v.rescheduleUrl}\nOr collect it from a pickup point: ${v.pickupUrl}`,
    short: `${v.carrier ?? 'The carrier'} could not deliver your order ${v.n}. New day: ${v.rescheduleUrl} Pickup point: ${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `Your order ${v.n} has been delivered`,
    body: `${v.carrier ?? 'The carrier'} has delivered your order ${v.n}. We hope it brings you joy.\n\nIf anything is not as it should be, let us know: ${v.orderUrl}`,
    short: `Your order ${v.n} has been delivered. Anything wrong? ${v.orderUrl}`,
  }),
};

const fr: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `Votre commande ${v.n} est confirmée`,
    body: `Merci pour votre commande ${v.n}. Nous la préparons avec soin et vous écrirons dès qu'elle sera en route.\n\nVoir votre commande : ${v.orderUrl}`,
    short: `Votre commande ${v.n} est confirmée. Merci. ${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `Un nouveau code de retrait pour votre commande ${v.n}`,
          body: `Un nouveau code de retrait a été émis pour votre commande ${v.n} ; l'ancien n'est plus valable. Présentez-le en boutique : ${v.orderUrl}`,
          short: `Nouveau code de retrait pour votre commande ${v.n} : ${v.orderUrl}`,
        }
      : {
          subject: `Votre commande ${v.n} est prête à être retirée`,
          body: `Votre commande ${v.n} vous attend.${opt(v.location, (l) => ` Lieu de retrait : ${l}.`)}${opt(v.collectBy, (d) => ` Merci de la retirer avant le ${d}.`)} Présentez en boutique le code de retrait indiqué dans votre commande : ${v.orderUrl}`,
          short: `Votre commande ${v.n} est prête à être retirée. Votre code : ${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `Votre commande ${v.n} est en route`,
    body: `${v.carrier ?? 'Le transporteur'} achemine votre commande ${v.n}${opt(v.tracking, (t) => ` (numéro de suivi ${t})`)}.${opt(v.window, (w) => ` Livraison prévue : ${w}.`)}${v.signature ? ' Une signature sera demandée à la livraison.' : ''}\n\nSuivre votre colis : ${v.trackingUrl}`,
    short: `Votre commande ${v.n} a été expédiée${opt(v.carrier, (c) => ` avec ${c}`)}${opt(v.window, (w) => `, livraison prévue ${w}`)}. ${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `Votre commande ${v.n} arrive aujourd'hui`,
    body: `${v.carrier ?? 'Le transporteur'} livrera votre commande ${v.n} aujourd'hui.${v.signature ? ' Une signature sera nécessaire.' : ''}\n\nSuivre votre colis : ${v.trackingUrl}`,
    short: `Votre commande ${v.n} est en cours de livraison aujourd'hui.${v.signature ? ' Signature requise.' : ''} ${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `Votre commande ${v.n} a du retard`,
    body: `Votre commande ${v.n} n'est pas arrivée à la date prévue${opt(v.latest, (d) => ` (${d})`)}. Nous en sommes désolés et la suivons de près avec ${v.carrier ?? 'le transporteur'}.\n\nSuivre votre colis : ${v.trackingUrl}`,
    short: `Votre commande ${v.n} a du retard ; nous la suivons avec ${v.carrier ?? 'le transporteur'}. ${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `Livraison manquée de votre commande ${v.n}`,
    body: `${v.carrier ?? 'Le transporteur'} a tenté de livrer votre commande ${v.n} mais n'a pas pu vous la remettre.\n\nChoisir un autre jour de livraison : ${v.rescheduleUrl}\nOu la retirer en point relais : ${v.pickupUrl}`,
    short: `${v.carrier ?? 'Le transporteur'} n'a pas pu livrer votre commande ${v.n}. Nouveau jour : ${v.rescheduleUrl} Point relais : ${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `Votre commande ${v.n} a été livrée`,
    body: `${v.carrier ?? 'Le transporteur'} a livré votre commande ${v.n}. Nous espérons qu'elle vous apportera beaucoup de joie.\n\nSi quelque chose ne va pas, dites-le-nous : ${v.orderUrl}`,
    short: `Votre commande ${v.n} a été livrée. Un souci ? ${v.orderUrl}`,
  }),
};

const de: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `Ihre Bestellung ${v.n} ist bestätigt`,
    body: `Vielen Dank für Ihre Bestellung ${v.n}. Wir bereiten sie mit Sorgfalt vor und melden uns, sobald sie unterwegs ist.\n\nIhre Bestellung ansehen: ${v.orderUrl}`,
    short: `Ihre Bestellung ${v.n} ist bestätigt. Vielen Dank. ${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `Ein neuer Abholcode für Ihre Bestellung ${v.n}`,
          body: `Für Ihre Bestellung ${v.n} wurde ein neuer Abholcode ausgestellt; der bisherige gilt nicht mehr. Zeigen Sie ihn in der Boutique vor: ${v.orderUrl}`,
          short: `Neuer Abholcode für Ihre Bestellung ${v.n}: ${v.orderUrl}`,
        }
      : {
          subject: `Ihre Bestellung ${v.n} ist abholbereit`,
          body: `Ihre Bestellung ${v.n} liegt für Sie bereit.${opt(v.location, (l) => ` Abholort: ${l}.`)}${opt(v.collectBy, (d) => ` Bitte holen Sie sie bis ${d} ab.`)} Zeigen Sie in der Boutique den Abholcode aus Ihrer Bestellung vor: ${v.orderUrl}`,
          short: `Ihre Bestellung ${v.n} ist abholbereit. Ihr Code: ${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `Ihre Bestellung ${v.n} ist unterwegs`,
    body: `${v.carrier ?? 'Der Paketdienst'} liefert Ihre Bestellung ${v.n}${opt(v.tracking, (t) => ` (Sendungsnummer ${t})`)}.${opt(v.window, (w) => ` Voraussichtliche Zustellung: ${w}.`)}${v.signature ? ' Bei der Zustellung ist eine Unterschrift erforderlich.' : ''}\n\nSendung verfolgen: ${v.trackingUrl}`,
    short: `Ihre Bestellung ${v.n} wurde${opt(v.carrier, (c) => ` mit ${c}`)} versandt${opt(v.window, (w) => `, Zustellung voraussichtlich ${w}`)}. ${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `Ihre Bestellung ${v.n} kommt heute`,
    body: `${v.carrier ?? 'Der Paketdienst'} stellt Ihre Bestellung ${v.n} heute zu.${v.signature ? ' Die Sendung muss bei der Übergabe unterschrieben werden.' : ''}\n\nSendung verfolgen: ${v.trackingUrl}`,
    short: `Ihre Bestellung ${v.n} wird heute zugestellt.${v.signature ? ' Unterschrift erforderlich.' : ''} ${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `Ihre Bestellung ${v.n} verspätet sich`,
    body: `Ihre Bestellung ${v.n} ist nicht zum erwarteten Termin${opt(v.latest, (d) => ` (${d})`)} angekommen. Das tut uns leid; wir verfolgen die Sendung gemeinsam mit ${v.carrier ?? 'dem Paketdienst'} genau.\n\nSendung verfolgen: ${v.trackingUrl}`,
    short: `Ihre Bestellung ${v.n} verspätet sich; wir verfolgen sie mit ${v.carrier ?? 'dem Paketdienst'}. ${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `Zustellversuch für Ihre Bestellung ${v.n}`,
    body: `${v.carrier ?? 'Der Paketdienst'} hat versucht, Ihre Bestellung ${v.n} zuzustellen, konnte sie aber nicht übergeben.\n\nNeuen Liefertag wählen: ${v.rescheduleUrl}\nOder an einer Abholstelle abholen: ${v.pickupUrl}`,
    short: `${v.carrier ?? 'Der Paketdienst'} konnte Ihre Bestellung ${v.n} nicht zustellen. Neuer Tag: ${v.rescheduleUrl} Abholstelle: ${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `Ihre Bestellung ${v.n} wurde zugestellt`,
    body: `${v.carrier ?? 'Der Paketdienst'} hat Ihre Bestellung ${v.n} zugestellt. Wir hoffen, sie bereitet Ihnen viel Freude.\n\nFalls etwas nicht stimmt, lassen Sie es uns wissen: ${v.orderUrl}`,
    short: `Ihre Bestellung ${v.n} wurde zugestellt. Stimmt etwas nicht? ${v.orderUrl}`,
  }),
};

const it: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `Il Suo ordine ${v.n} è confermato`,
    body: `Grazie per il Suo ordine ${v.n}. Lo stiamo preparando con cura e Le scriveremo non appena sarà in viaggio.\n\nVisualizzi il Suo ordine: ${v.orderUrl}`,
    short: `Il Suo ordine ${v.n} è confermato. Grazie. ${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `Un nuovo codice di ritiro per il Suo ordine ${v.n}`,
          body: `È stato emesso un nuovo codice di ritiro per il Suo ordine ${v.n}; il precedente non è più valido. Lo mostri in boutique: ${v.orderUrl}`,
          short: `Nuovo codice di ritiro per il Suo ordine ${v.n}: ${v.orderUrl}`,
        }
      : {
          subject: `Il Suo ordine ${v.n} è pronto per il ritiro`,
          body: `Il Suo ordine ${v.n} La attende.${opt(v.location, (l) => ` Punto di ritiro: ${l}.`)}${opt(v.collectBy, (d) => ` La preghiamo di ritirarlo entro ${d}.`)} Mostri in boutique il codice di ritiro indicato nel Suo ordine: ${v.orderUrl}`,
          short: `Il Suo ordine ${v.n} è pronto per il ritiro. Il Suo codice: ${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `Il Suo ordine ${v.n} è in viaggio`,
    body: `${v.carrier ?? 'Il corriere'} sta consegnando il Suo ordine ${v.n}${opt(v.tracking, (t) => ` (numero di tracciamento ${t})`)}.${opt(v.window, (w) => ` Consegna prevista: ${w}.`)}${v.signature ? ' Alla consegna sarà richiesta una firma.' : ''}\n\nSegua la Sua spedizione: ${v.trackingUrl}`,
    short: `Il Suo ordine ${v.n} è stato spedito${opt(v.carrier, (c) => ` con ${c}`)}${opt(v.window, (w) => `, consegna prevista ${w}`)}. ${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `Il Suo ordine ${v.n} arriva oggi`,
    body: `${v.carrier ?? 'Il corriere'} consegnerà oggi il Suo ordine ${v.n}.${v.signature ? ' Sarà necessaria una firma.' : ''}\n\nSegua la Sua spedizione: ${v.trackingUrl}`,
    short: `Il Suo ordine ${v.n} è in consegna oggi.${v.signature ? ' Firma richiesta.' : ''} ${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `Il Suo ordine ${v.n} è in ritardo`,
    body: `Il Suo ordine ${v.n} non è arrivato alla data prevista${opt(v.latest, (d) => ` (${d})`)}. Ce ne scusiamo: lo stiamo seguendo da vicino con ${v.carrier ?? 'il corriere'}.\n\nSegua la Sua spedizione: ${v.trackingUrl}`,
    short: `Il Suo ordine ${v.n} è in ritardo; lo stiamo seguendo con ${v.carrier ?? 'il corriere'}. ${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `Tentata consegna del Suo ordine ${v.n}`,
    body: `${v.carrier ?? 'Il corriere'} ha tentato di consegnare il Suo ordine ${v.n}, ma non è stato possibile.\n\nScelga un altro giorno di consegna: ${v.rescheduleUrl}\nOppure lo ritiri presso un punto di ritiro: ${v.pickupUrl}`,
    short: `${v.carrier ?? 'Il corriere'} non ha potuto consegnare il Suo ordine ${v.n}. Nuovo giorno: ${v.rescheduleUrl} Punto di ritiro: ${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `Il Suo ordine ${v.n} è stato consegnato`,
    body: `${v.carrier ?? 'Il corriere'} ha consegnato il Suo ordine ${v.n}. Speriamo che Le porti gioia.\n\nSe qualcosa non va, ce lo faccia sapere: ${v.orderUrl}`,
    short: `Il Suo ordine ${v.n} è stato consegnato. Qualcosa non va? ${v.orderUrl}`,
  }),
};

const es: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `Su pedido ${v.n} está confirmado`,
    body: `Gracias por su pedido ${v.n}. Lo estamos preparando con esmero y le escribiremos en cuanto esté en camino.\n\nVer su pedido: ${v.orderUrl}`,
    short: `Su pedido ${v.n} está confirmado. Gracias. ${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `Un nuevo código de recogida para su pedido ${v.n}`,
          body: `Se ha emitido un nuevo código de recogida para su pedido ${v.n}; el anterior ya no es válido. Muéstrelo en la boutique: ${v.orderUrl}`,
          short: `Nuevo código de recogida para su pedido ${v.n}: ${v.orderUrl}`,
        }
      : {
          subject: `Su pedido ${v.n} está listo para recoger`,
          body: `Su pedido ${v.n} le está esperando.${opt(v.location, (l) => ` Lugar de recogida: ${l}.`)}${opt(v.collectBy, (d) => ` Recójalo antes del ${d}.`)} Muestre en la boutique el código de recogida que figura en su pedido: ${v.orderUrl}`,
          short: `Su pedido ${v.n} está listo para recoger. Su código: ${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `Su pedido ${v.n} está en camino`,
    body: `${v.carrier ?? 'El transportista'} entregará su pedido ${v.n}${opt(v.tracking, (t) => ` (número de seguimiento ${t})`)}.${opt(v.window, (w) => ` Entrega prevista: ${w}.`)}${v.signature ? ' Se necesitará una firma en la entrega.' : ''}\n\nSiga su envío: ${v.trackingUrl}`,
    short: `Su pedido ${v.n} ha sido enviado${opt(v.carrier, (c) => ` con ${c}`)}${opt(v.window, (w) => `, entrega prevista ${w}`)}. ${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `Su pedido ${v.n} llega hoy`,
    body: `${v.carrier ?? 'El transportista'} entregará hoy su pedido ${v.n}.${v.signature ? ' Será necesaria una firma.' : ''}\n\nSiga su envío: ${v.trackingUrl}`,
    short: `Su pedido ${v.n} está en reparto hoy.${v.signature ? ' Firma necesaria.' : ''} ${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `Su pedido ${v.n} se está retrasando`,
    body: `Su pedido ${v.n} no ha llegado en la fecha prevista${opt(v.latest, (d) => ` (${d})`)}. Lo sentimos; lo estamos siguiendo de cerca con ${v.carrier ?? 'el transportista'}.\n\nSiga su envío: ${v.trackingUrl}`,
    short: `Su pedido ${v.n} se está retrasando; lo seguimos con ${v.carrier ?? 'el transportista'}. ${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `No pudimos entregar su pedido ${v.n}`,
    body: `${v.carrier ?? 'El transportista'} intentó entregar su pedido ${v.n}, pero no pudo hacerlo.\n\nElija otro día de entrega: ${v.rescheduleUrl}\nO recójalo en un punto de recogida: ${v.pickupUrl}`,
    short: `${v.carrier ?? 'El transportista'} no pudo entregar su pedido ${v.n}. Nuevo día: ${v.rescheduleUrl} Punto de recogida: ${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `Su pedido ${v.n} ha sido entregado`,
    body: `${v.carrier ?? 'El transportista'} ha entregado su pedido ${v.n}. Esperamos que lo disfrute.\n\nSi algo no está bien, díganoslo: ${v.orderUrl}`,
    short: `Su pedido ${v.n} ha sido entregado. ¿Algún problema? ${v.orderUrl}`,
  }),
};

const ja: Phrasebook = {
  order_confirmed: (v) => ({
    subject: `ご注文（${v.n}）を承りました`,
    body: `このたびはご注文（${v.n}）いただき、誠にありがとうございます。心を込めてご用意し、発送の際に改めてご連絡いたします。\n\nご注文の詳細：${v.orderUrl}`,
    short: `ご注文（${v.n}）を承りました。ありがとうございます。${v.orderUrl}`,
  }),
  ready_for_pickup: (v) =>
    v.reissued
      ? {
          subject: `ご注文（${v.n}）の新しい受取コード`,
          body: `ご注文（${v.n}）の受取コードを再発行いたしました。以前のコードはご利用いただけません。店頭でご提示ください：${v.orderUrl}`,
          short: `ご注文（${v.n}）の受取コードを再発行しました：${v.orderUrl}`,
        }
      : {
          subject: `ご注文（${v.n}）のお受け取り準備が整いました`,
          body: `ご注文（${v.n}）のお受け取り準備が整いました。${opt(v.location, (l) => `受取場所：${l}。`)}${opt(v.collectBy, (d) => `${d}までにお受け取りください。`)}店頭でご注文に記載の受取コードをご提示ください：${v.orderUrl}`,
          short: `ご注文（${v.n}）のお受け取り準備が整いました。受取コード：${v.orderUrl}`,
        },
  shipped: (v) => ({
    subject: `ご注文（${v.n}）を発送いたしました`,
    body: `ご注文（${v.n}）を${v.carrier ?? '配送業者'}にて発送いたしました。${opt(v.tracking, (t) => `追跡番号：${t}。`)}${opt(v.window, (w) => `お届け予定：${w}。`)}${v.signature ? 'お受け取りの際にサインが必要です。' : ''}\n\n配送状況の確認：${v.trackingUrl}`,
    short: `ご注文（${v.n}）を${v.carrier ?? '配送業者'}にて発送しました。${opt(v.window, (w) => `お届け予定：${w}。`)}${v.trackingUrl}`,
  }),
  out_for_delivery: (v) => ({
    subject: `ご注文（${v.n}）は本日お届け予定です`,
    body: `ご注文（${v.n}）は本日${v.carrier ?? '配送業者'}よりお届けいたします。${v.signature ? 'お受け取りの際にサインが必要です。' : ''}\n\n配送状況の確認：${v.trackingUrl}`,
    short: `ご注文（${v.n}）は本日お届け予定です。${v.signature ? 'サインが必要です。' : ''}${v.trackingUrl}`,
  }),
  late: (v) => ({
    subject: `ご注文（${v.n}）のお届けが遅れております`,
    body: `ご注文（${v.n}）をお届け予定日${opt(v.latest, (d) => `（${d}）`)}までにお届けできておりません。大変申し訳ございません。${v.carrier ?? '配送業者'}と連携し、状況を確認しております。\n\n配送状況の確認：${v.trackingUrl}`,
    short: `ご注文（${v.n}）のお届けが遅れております。${v.carrier ?? '配送業者'}と確認中です。${v.trackingUrl}`,
  }),
  delivery_attempted: (v) => ({
    subject: `ご注文（${v.n}）をお届けできませんでした`,
    body: `${v.carrier ?? '配送業者'}がご注文（${v.n}）のお届けに伺いましたが、お渡しできませんでした。\n\n再配達日のご指定：${v.rescheduleUrl}\n受取拠点でのお受け取り：${v.pickupUrl}`,
    short: `ご注文（${v.n}）をお届けできませんでした。再配達：${v.rescheduleUrl} 拠点受取：${v.pickupUrl}`,
  }),
  delivered: (v) => ({
    subject: `ご注文（${v.n}）をお届けいたしました`,
    body: `${v.carrier ?? '配送業者'}よりご注文（${v.n}）をお届けいたしました。お気に召していただけましたら幸いです。\n\n何か問題がございましたら、こちらからお知らせください：${v.orderUrl}`,
    short: `ご注文（${v.n}）をお届けしました。問題がございましたら：${v.orderUrl}`,
  }),
};

const PHRASEBOOKS: Readonly<Record<TemplateLocale, Phrasebook>> = { en, fr, de, it, es, ja };

/** How dates join into a window: Japanese writes a wave dash, the others an en dash. */
const RANGE_SEPARATOR: Readonly<Record<TemplateLocale, string>> = {
  en: ' – ',
  fr: ' – ',
  de: ' – ',
  it: ' – ',
  es: ' – ',
  ja: '～',
};

/** The language a tag is written in: its primary subtag when there is a phrasebook for it, else English. */
export function resolveLocale(tag: string): TemplateLocale {
  const language = tag.split('-')[0]?.toLowerCase();
  return (TEMPLATE_LOCALES as readonly string[]).includes(language ?? '')
    ? (language as TemplateLocale)
    : 'en';
}

/** Carriers' own spellings; any other slug is written in title case (`house-courier` → House Courier). */
const CARRIER_NAMES: Readonly<Record<string, string>> = {
  dhl: 'DHL',
  fedex: 'FedEx',
  ups: 'UPS',
  tnt: 'TNT',
  usps: 'USPS',
  gls: 'GLS',
  dpd: 'DPD',
  'japan-post': 'Japan Post',
  'yamato-transport': 'Yamato Transport',
  colissimo: 'Colissimo',
  chronopost: 'Chronopost',
};

/** The carrier's name as customers know it. */
export function carrierDisplayName(slug: string): string {
  return (
    CARRIER_NAMES[slug] ??
    slug
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ')
  );
}

/** Formats `YYYY-MM-DD` as a day of a month in the reader's language, whatever the reader's time zone. */
function calendarDate(date: string, intlLocale: string): string {
  return new Intl.DateTimeFormat(intlLocale, { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** The customer's own tag for dates when it is valid and in the message's language, else the language. */
function intlLocaleFor(tag: string, locale: TemplateLocale): string {
  if (tag.split('-')[0]?.toLowerCase() !== locale) return locale;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? locale;
  } catch {
    return locale;
  }
}

/**
 * Renders a message in the customer's language, falling back to English for languages without a
 * phrasebook. Dates use the customer's full tag (`fr-CH`, `en-US`) when its language is the message's.
 */
export function renderNotification(input: TemplateInput): RenderedNotification {
  const locale = resolveLocale(input.locale);
  const intlLocale = intlLocaleFor(input.locale, locale);
  const estimate = input.estimate;
  const window = estimate
    ? estimate.earliest === estimate.latest
      ? calendarDate(estimate.latest, intlLocale)
      : `${calendarDate(estimate.earliest, intlLocale)}${RANGE_SEPARATOR[locale]}${calendarDate(estimate.latest, intlLocale)}`
    : undefined;
  const collectBy = input.collectBy
    ? new Intl.DateTimeFormat(intlLocale, {
        dateStyle: 'long',
        timeStyle: 'short',
        timeZone: input.timeZone,
      }).format(new Date(input.collectBy))
    : undefined;
  const order = input.links.order;
  const vars: Vars = {
    n: input.orderNumber,
    carrier: input.carrier ? carrierDisplayName(input.carrier) : undefined,
    tracking: input.trackingNumber,
    window,
    latest: estimate ? calendarDate(estimate.latest, intlLocale) : undefined,
    signature: input.signatureRequired ?? false,
    location: input.locationName,
    collectBy,
    reissued: input.reissued ?? false,
    orderUrl: order,
    trackingUrl: input.links.tracking ?? order,
    rescheduleUrl: input.links.reschedule ?? order,
    pickupUrl: input.links.pickup ?? order,
  };
  return { locale, ...PHRASEBOOKS[locale][input.type](vars) };
}
