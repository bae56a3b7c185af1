import { z } from 'zod';

/**
 * Where a parcel is, in the same words for every carrier. Carriers' own codes map onto these (the tables
 * below); a code no table knows is left out of the timeline rather than guessed.
 * - `label_created`: the carrier has the shipment's data, not the parcel;
 * - `picked_up`, `in_transit`, `customs` (held for or going through clearance), `out_for_delivery`;
 * - `delivery_attempted`: nobody could take it; the carrier will retry or hold it for collection;
 * - `exception`: anything else that went wrong (delay, damage, address problem);
 * - `delivered`, `returned_to_sender`: the journey is over (see {@link isTerminal}).
 */
export const TrackingStatus = z.enum([
  'label_created',
  'picked_up',
  'in_transit',
  'customs',
  'out_for_delivery',
  'delivery_attempted',
  'delivered',
  'exception',
  'returned_to_sender',
]);
export type TrackingStatus = z.infer<typeof TrackingStatus>;

const TERMINAL: ReadonlySet<TrackingStatus> = new Set<TrackingStatus>(['delivered', 'returned_to_sender']);

/**
 * Whether a status ends the journey. The first terminal scan by event time fixes a shipment's status:
 * later scans (a stray exception, the return leg's own delivery scan) are kept on the timeline but do not
 * move it back.
 */
export const isTerminal = (status: TrackingStatus): boolean => TERMINAL.has(status);

/**
 * Journey order, used only to order scans that carry the same instant: carriers stamp a pickup and its
 * first departure with the same minute, and the further step must sort after the nearer one.
 */
export const STATUS_RANK: Readonly<Record<TrackingStatus, number>> = {
  label_created: 0,
  picked_up: 1,
  in_transit: 2,
  customs: 3,
  out_for_delivery: 4,
  delivery_attempted: 5,
  exception: 6,
  delivered: 7,
  returned_to_sender: 8,
};

/**
 * Words carriers use in free-text statuses, for the cases their codes are too coarse to tell apart (DHL's
 * `transit` covers pickup, clearance and the delivery round; UPS's `X` covers a failed attempt and a
 * customs hold). English first, then German for DHL's domestic products.
 */
const TEXT_PATTERNS: Readonly<Partial<Record<TrackingStatus, { match: RegExp; unless?: RegExp }>>> = {
  returned_to_sender: {
    match:
      /\b(return(ed|ing)? to (the )?(sender|shipper|origin)\b|back to (the )?(sender|shipper)\b|being returned|r(ü|ue)cksendung|r(ü|ue)ckversand)/i,
  },
  // "Cleared customs" is good news: the parcel is moving again, not held.
  customs: {
    match: /\b(customs|clearance|brokerage|import (scan|hold)|zoll)/i,
    unless: /\b(cleared|released|clearance (is )?(complete|completed|finished))\b|verzollt/i,
  },
  delivery_attempted: {
    match:
      /\b(attempt|not (at home|available|present|in)\b|no one\b|nobody\b|recipient (absent|unavailable)|business (was )?closed|nicht angetroffen|zustellversuch)/i,
  },
  out_for_delivery: {
    match:
      /\b(out for delivery|with (the )?delivery (courier|driver)|on (the )?delivery vehicle|loaded (on|onto) (the )?delivery|in zustellung|zustellfahrzeug)/i,
  },
  picked_up: { match: /\b(picked up|collected|pick-?up scan|abgeholt|eingeliefert|posted)\b/i },
};

/**
 * Refines a coarse carrier status with the carrier's own text: the first of `candidates` whose words
 * appear in `text` wins, else `base`. Candidates are listed per base status, so text can only sharpen a
 * status within its class (transit text cannot make a parcel delivered).
 */
export function refineStatus(
  base: TrackingStatus,
  text: string | undefined,
  refinements: Readonly<Partial<Record<TrackingStatus, readonly TrackingStatus[]>>>,
): TrackingStatus {
  if (!text) return base;
  for (const candidate of refinements[base] ?? []) {
    const pattern = TEXT_PATTERNS[candidate];
    if (pattern?.match.test(text) && !pattern.unless?.test(text)) return candidate;
  }
  return base;
}

/**
 * DHL Shipment Tracking – Unified `statusCode`. `unknown` carries no position, so such scans are ignored.
 */
export const DHL_STATUS_CODES = {
  'pre-transit': 'label_created',
  transit: 'in_transit',
  delivered: 'delivered',
  failure: 'exception',
  unknown: null,
} as const satisfies Record<string, TrackingStatus | null>;

/** How DHL's free text sharpens its coarse classes (see {@link refineStatus}). */
export const DHL_REFINEMENTS: Readonly<Partial<Record<TrackingStatus, readonly TrackingStatus[]>>> = {
  in_transit: ['returned_to_sender', 'customs', 'out_for_delivery', 'picked_up'],
  exception: ['returned_to_sender', 'delivery_attempted', 'customs'],
  delivered: ['returned_to_sender'],
};

/**
 * FedEx scan `eventType` codes (the Track API's two-letter codes, also sent by Advanced Integrated
 * Visibility). Codes that say nothing about the parcel's position (CDO requests, split status) are absent
 * and ignored.
 */
export const FEDEX_EVENT_TYPES: Readonly<Record<string, TrackingStatus>> = {
  OC: 'label_created', // shipment information sent to FedEx
  PU: 'picked_up',
  PX: 'picked_up',
  AA: 'in_transit', // at airport
  AC: 'in_transit',
  AF: 'in_transit', // at FedEx facility
  AR: 'in_transit', // arrived at
  AX: 'in_transit',
  CH: 'in_transit', // location changed
  DP: 'in_transit', // departed
  EA: 'in_transit',
  ED: 'in_transit',
  EO: 'in_transit',
  FD: 'in_transit', // at FedEx destination
  HL: 'in_transit', // held at a FedEx location, as the shipper or recipient asked
  IT: 'in_transit',
  IX: 'in_transit',
  LO: 'in_transit', // left origin
  OF: 'in_transit',
  PF: 'in_transit', // plane in flight
  PL: 'in_transit', // plane landed
  SF: 'in_transit', // at sort facility
  TR: 'in_transit',
  CC: 'in_transit', // cleared customs: moving again
  BR: 'customs', // with the broker
  CD: 'customs', // clearance delay: still in customs, the delay is in the description
  CP: 'customs', // clearance in progress
  CU: 'customs',
  OD: 'out_for_delivery',
  DL: 'delivered',
  DE: 'exception', // delivery exception; a "not available" reason is an attempt (see below)
  DD: 'exception', // delivery delay
  DY: 'exception',
  PD: 'exception', // pickup delay
  SE: 'exception', // shipment exception
  CA: 'exception', // shipment cancelled
  RS: 'returned_to_sender',
};

/**
 * FedEx delivery-exception codes that mean "tried, nobody there": `08` is "recipient not in / business
 * closed", the common failed first attempt.
 */
export const FEDEX_ATTEMPT_EXCEPTION_CODES: ReadonlySet<string> = new Set(['08']);

/** FedEx text refinements, for exception scans whose code is missing or generic. */
export const FEDEX_REFINEMENTS: Readonly<Partial<Record<TrackingStatus, readonly TrackingStatus[]>>> = {
  exception: ['returned_to_sender', 'delivery_attempted', 'customs'],
};

/**
 * UPS Track Alert `activityStatus.type`. `MV` (manifest voided: the label was cancelled) and `NA` say
 * nothing about a parcel on its way and are ignored.
 */
export const UPS_ACTIVITY_TYPES = {
  M: 'label_created', // billing information received
  P: 'picked_up',
  I: 'in_transit',
  W: 'in_transit', // warehousing
  DO: 'in_transit', // delivered to the origin CFS (freight)
  DD: 'in_transit', // delivered to the destination CFS (freight)
  O: 'out_for_delivery',
  D: 'delivered',
  X: 'exception',
  RS: 'returned_to_sender',
  MV: null,
  NA: null,
} as const satisfies Record<string, TrackingStatus | null>;

/** UPS text refinements: its `I` and `X` types are broad. */
export const UPS_REFINEMENTS: Readonly<Partial<Record<TrackingStatus, readonly TrackingStatus[]>>> = {
  in_transit: ['returned_to_sender', 'customs', 'out_for_delivery'],
  exception: ['returned_to_sender', 'delivery_attempted', 'customs'],
};
