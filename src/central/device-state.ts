import { createHash } from 'node:crypto';
import { identityKey, usableId, type IdentityKeys } from '../inventory/identity.ts';
import { normaliseMac } from '../util/text.ts';
import type { ReceivedDevice } from '../report/receiver/validate.ts';
import type { DeviceStatus, ReviewState, VerdictStatus } from './types.ts';

/**
 * The latest state of each device across agents and sites, pure: which identifiers a reported
 * device has (as the inventory does it: MAC > EPR > UDN > serial > IP, src/inventory/identity.ts,
 * scoped by site), a new device's id, how a report changes a stored device (latest state from
 * the newest observation, first/last seen, history entries, events to forward), and what a
 * review does to its status. The stores do the I/O around these.
 */

/** The devices row as both stores keep it. `site` is '' for reports without a site. */
export interface StateRow {
  id: string;
  site: string;
  mac: string | null;
  epr: string | null;
  udn: string | null;
  serial: string | null;
  ip: string;
  manufacturer: string | null;
  brand: string | null;
  model: string | null;
  firmware: string | null;
  kind: string;
  verdictStatus: VerdictStatus;
  status: DeviceStatus;
  pack: string | null;
  rule: string | null;
  reason: string;
  firstSeen: string;
  lastSeen: string;
  /** The sweep start of the observation the latest state comes from (reports may arrive out of order). */
  lastObserved: string;
  lastAgent: string;
  reviewState: ReviewState | null;
  reviewUntil: string | null;
  reviewBy: string | null;
  reviewAt: string | null;
  /** The device JSON of the latest observation. */
  document: string;
}

export interface Change {
  change: string;
  before: string | null;
  after: string | null;
}

/** An event for the forwarders: `key` de-duplicates it per sink. */
export interface ForwardSpec {
  key: string;
  type: 'restricted-new' | 'device-changed' | 'review' | 'exception-expired';
  change?: Change;
}

export interface Observation {
  site: string;
  agent: string;
  sweep: string;
  /** The sweep's start (ISO): orders observations. */
  observedAt: string;
  /** When the central service received it (ISO). */
  receivedAt: string;
  /** Today's date (UTC, YYYY-MM-DD): for exceptions. */
  today: string;
}

export function keysOf(d: ReceivedDevice): IdentityKeys {
  const ids = d.identifiers ?? {};
  return {
    mac: normaliseMac(d.mac) ?? null,
    epr: usableId(ids.epr),
    udn: usableId(ids.udn),
    serial: usableId(ids.serial ?? d.serial),
    ip: d.ip,
  };
}

/** Every identifier of a device as `kind:value` (IP last), the rows of device_identifiers. */
export function identifierPairs(keys: IdentityKeys): Array<{ kind: string; value: string }> {
  const out: Array<{ kind: string; value: string }> = [];
  for (const kind of ['mac', 'epr', 'udn', 'serial', 'ip'] as const) {
    const v = keys[kind];
    if (v !== null) out.push({ kind, value: v });
  }
  return out;
}

/** A new device's id: 16 hex digits of a hash of its site and strongest identifier (salted should it be taken). */
export function centralDeviceId(site: string, keys: IdentityKeys, attempt = 0): string {
  const base = `camsweep.central\u0000${site}\u0000${identityKey(keys)}`;
  return createHash('sha256')
    .update(attempt === 0 ? base : `${base}\u0000${attempt}`)
    .digest('hex')
    .slice(0, 16);
}

/** A device's standing: the agents' verdict unless a review says otherwise (an exception only until its date). */
export function effectiveStatus(verdict: VerdictStatus, review: { state: ReviewState | null; until: string | null }, today: string): DeviceStatus {
  switch (review.state) {
    case 'exception':
      return review.until === null || today < review.until ? 'exception' : verdict;
    case 'false-positive':
      return 'false-positive';
    case 'replaced':
      return 'replaced';
    default:
      return verdict;
  }
}

const TRACKED = ['verdictStatus', 'ip', 'firmware', 'model', 'manufacturer', 'brand'] as const;
const CHANGE_NAMES: Record<(typeof TRACKED)[number], string> = {
  verdictStatus: 'verdict-changed',
  ip: 'ip-changed',
  firmware: 'firmware-changed',
  model: 'model-changed',
  manufacturer: 'manufacturer-changed',
  brand: 'brand-changed',
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * A reported device applied to its stored state (or to none: a new device). The latest state
 * is taken from the newest observation only; first/last seen always widen. Returns the new
 * row, the history entries and the events to forward.
 */
export function applyObservation(
  id: string,
  before: StateRow | undefined,
  d: ReceivedDevice,
  keys: IdentityKeys,
  obs: Observation,
  documentJson: string,
): { row: StateRow; history: Change[]; forward: ForwardSpec[] } {
  const reported = {
    ip: d.ip,
    manufacturer: d.manufacturer,
    brand: d.brand,
    model: d.model,
    firmware: str(d.firmware),
    kind: d.kind,
    verdictStatus: d.verdict.status,
    pack: d.verdict.pack ?? null,
    rule: d.verdict.rule ?? null,
    reason: d.verdict.reason,
  };
  if (before === undefined) {
    const row: StateRow = {
      id,
      site: obs.site,
      mac: keys.mac,
      epr: keys.epr,
      udn: keys.udn,
      serial: keys.serial,
      ...reported,
      status: reported.verdictStatus,
      firstSeen: obs.observedAt,
      lastSeen: obs.observedAt,
      lastObserved: obs.observedAt,
      lastAgent: obs.agent,
      reviewState: null,
      reviewUntil: null,
      reviewBy: null,
      reviewAt: null,
      document: documentJson,
    };
    const forward: ForwardSpec[] = row.verdictStatus === 'restricted' ? [{ key: `restricted-new:${id}`, type: 'restricted-new' }] : [];
    return { row, history: [{ change: 'first-seen', before: null, after: reported.verdictStatus }], forward };
  }
  const newest = obs.observedAt >= before.lastObserved;
  const firstSeen = obs.observedAt < before.firstSeen ? obs.observedAt : before.firstSeen;
  const lastSeen = obs.observedAt > before.lastSeen ? obs.observedAt : before.lastSeen;
  if (!newest) return { row: { ...before, firstSeen, lastSeen }, history: [], forward: [] };
  const history: Change[] = [];
  for (const field of TRACKED) {
    const a = before[field];
    const b = reported[field];
    if (a !== b) history.push({ change: CHANGE_NAMES[field], before: a, after: b });
  }
  // A device marked replaced that is seen again after the review was not replaced after all.
  let review = { state: before.reviewState, until: before.reviewUntil, by: before.reviewBy, at: before.reviewAt };
  if (before.reviewState === 'replaced' && before.reviewAt !== null && obs.observedAt > before.reviewAt) {
    history.push({ change: 'seen-after-replaced', before: 'replaced', after: reported.verdictStatus });
    review = { state: null, until: null, by: null, at: null };
  }
  const row: StateRow = {
    ...before,
    // Identifiers learnt later are kept; a known one is never overwritten by a missing one.
    mac: keys.mac ?? before.mac,
    epr: keys.epr ?? before.epr,
    udn: keys.udn ?? before.udn,
    serial: keys.serial ?? before.serial,
    ...reported,
    status: effectiveStatus(reported.verdictStatus, review, obs.today),
    firstSeen,
    lastSeen,
    lastObserved: obs.observedAt,
    lastAgent: obs.agent,
    reviewState: review.state,
    reviewUntil: review.until,
    reviewBy: review.by,
    reviewAt: review.at,
    document: documentJson,
  };
  const interesting = before.verdictStatus === 'restricted' || row.verdictStatus === 'restricted';
  const forward: ForwardSpec[] = [];
  if (interesting) {
    for (const h of history) {
      forward.push({ key: `changed:${id}:${h.change}:${obs.agent}:${obs.sweep}`, type: 'device-changed', change: h });
    }
  }
  return { row, history, forward };
}

/** The UTC date of an instant, YYYY-MM-DD. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
