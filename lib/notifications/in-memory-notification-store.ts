import { randomUUID } from 'node:crypto';
import { VersionConflictError } from '../errors.ts';
import type { NotificationRequest } from './decide.ts';
import type {
  Claim,
  ClaimOutcome,
  DeferredNotification,
  DeferredNotifications,
  LogEntryDetails,
  NotificationLog,
  PreferencesRepository,
} from './ports.ts';
import type { NotificationPreferences } from './preferences.ts';

interface LogEntry extends LogEntryDetails {
  status: 'sending' | 'sent' | 'rejected' | 'uncertain';
  token: string;
  leaseUntil: string;
  providerMessageId?: string;
  reason?: string;
}

interface HeldEntry {
  request: NotificationRequest;
  notBefore: string;
  region: string;
}

/** Identifies a held message: one per customer, type, subject and status. */
export const heldKey = (r: NotificationRequest) => `${r.customerId}#${r.type}#${r.subjectId}#${r.status}`;

/** Preferences, log and held messages in memory, with the DynamoDB adapter's conditions. */
export class InMemoryNotificationStore
  implements PreferencesRepository, NotificationLog, DeferredNotifications
{
  readonly preferences = new Map<string, NotificationPreferences>();
  readonly log = new Map<string, LogEntry>();
  readonly held = new Map<string, HeldEntry>();

  async get(customerId: string, zone: string) {
    const found = this.preferences.get(`${zone}#${customerId}`);
    return found ? structuredClone(found) : undefined;
  }

  async put(preferences: NotificationPreferences, expectedVersion: number) {
    const key = `${preferences.zone}#${preferences.customerId}`;
    if ((this.preferences.get(key)?.version ?? 0) !== expectedVersion) {
      throw new VersionConflictError('The preferences changed meanwhile');
    }
    this.preferences.set(key, structuredClone(preferences));
  }

  async claim(entry: LogEntryDetails, now: Date, leaseUntil: Date): Promise<ClaimOutcome> {
    const existing = this.log.get(entry.dedupeKey);
    if (!existing) {
      const token = randomUUID();
      this.log.set(entry.dedupeKey, {
        ...entry,
        status: 'sending',
        token,
        leaseUntil: leaseUntil.toISOString(),
      });
      return { kind: 'claimed', claim: { ...pick(entry), token } };
    }
    if (existing.status !== 'sending') return { kind: 'settled', status: existing.status };
    if (existing.leaseUntil > now.toISOString()) return { kind: 'busy', leaseUntil: existing.leaseUntil };
    existing.status = 'uncertain';
    return { kind: 'settled', status: 'uncertain', discovered: true };
  }

  async settle(
    claim: Claim,
    outcome: { status: 'sent'; providerMessageId: string } | { status: 'rejected'; reason: string },
  ) {
    const entry = this.log.get(claim.dedupeKey);
    if (entry?.token !== claim.token) return;
    entry.status = outcome.status;
    if (outcome.status === 'sent') entry.providerMessageId = outcome.providerMessageId;
    else entry.reason = outcome.reason;
  }

  async release(claim: Claim) {
    const entry = this.log.get(claim.dedupeKey);
    if (entry?.token === claim.token && entry.status === 'sending') this.log.delete(claim.dedupeKey);
  }

  async defer(request: NotificationRequest, notBefore: Date, region: string) {
    const key = heldKey(request);
    if (!this.held.has(key)) {
      this.held.set(key, { request: structuredClone(request), notBefore: notBefore.toISOString(), region });
    }
  }

  async due(region: string, now: Date, limit: number): Promise<DeferredNotification[]> {
    return [...this.held.values()]
      .filter((h) => h.region === region && h.notBefore <= now.toISOString())
      .sort((a, b) => (a.notBefore < b.notBefore ? -1 : a.notBefore > b.notBefore ? 1 : 0))
      .slice(0, limit)
      .map((h) => ({ request: structuredClone(h.request), notBefore: h.notBefore }));
  }

  async reschedule(item: DeferredNotification, notBefore: Date) {
    const held = this.held.get(heldKey(item.request));
    if (held?.notBefore === item.notBefore) held.notBefore = notBefore.toISOString();
  }

  async remove(item: DeferredNotification) {
    const key = heldKey(item.request);
    if (this.held.get(key)?.notBefore === item.notBefore) this.held.delete(key);
  }
}

const pick = (entry: LogEntryDetails) => ({
  dedupeKey: entry.dedupeKey,
  customerId: entry.customerId,
  zone: entry.zone,
});
