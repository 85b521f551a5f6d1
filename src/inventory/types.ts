import type { Device, DeviceKind, DeviceStatus, Protocol, SweepResult } from '../domain/types.ts';

/**
 * The inventory's contract, shared by the inventory store (src/inventory), the daemon
 * (src/daemon) and the review commands. Devices are tracked across sweeps by a stable id.
 */

/** What changed about the network between one sweep and the inventory before it. */
export type ChangeType =
  | 'device-new' // never seen before
  | 'restricted-new' // never seen before, and restricted (sent to the endpoint at once)
  | 'device-gone' // in the previous sweep, not in this one
  | 'device-back' // seen before, missing from the previous sweep (or said goodbye), here again
  | 'device-leaving' // said goodbye between sweeps (WS-Discovery Bye, SSDP byebye, mDNS goodbye): possibly gone
  | 'ip-changed'
  | 'firmware-changed'
  | 'model-changed'
  | 'verdict-changed'; // status (or the rule behind it) changed

export interface ChangeEvent {
  type: ChangeType;
  /** Inventory id of the device. */
  deviceId: string;
  sweepId: string;
  at: string;
  /** The device as of this sweep (for device-gone: as last seen). */
  device: { ip: string; mac: string | null; manufacturer: string | null; brand: string | null; model: string | null; kind: DeviceKind; status: DeviceStatus };
  /** For *-changed: the value before and after. */
  before?: string | null;
  after?: string | null;
}

export interface InventoryDevice {
  id: string;
  firstSeen: string;
  lastSeen: string;
  /** Number of sweeps it was found in (sightings between sweeps do not count). */
  sweeps: number;
  /** The device as last seen, with its evidence and verdict. */
  latest: Device;
  /** Every verdict it had, oldest first, with the sweep that gave it. */
  verdicts: Array<{ sweepId: string; at: string; status: DeviceStatus; reason: string; pack?: string; rule?: string }>;
  /**
   * False once a sweep that covered its interface missed it (a device-gone event), true again
   * when it is back. Optional for backward compatibility; the store always sets it.
   */
  present?: boolean;
  /**
   * When it said goodbye (a device-leaving event), while no sweep has confirmed it gone
   * (device-gone) or seen it again (device-back). Absent otherwise.
   */
  leaving?: string;
}

/**
 * A device said goodbye between sweeps: a WS-Discovery Bye, an SSDP byebye, an mDNS goodbye
 * (TTL 0). The inventory device is found by the identifiers the message carries (and its
 * source address); the next sweep confirms it gone or sees it again.
 */
export interface Departure {
  /** Unique id of this record (a UUID), as a sweep's: recording it again changes nothing. */
  id: string;
  /** ISO time it was heard. */
  at: string;
  /** The message's source address. */
  ip: string;
  /** What the message names: WS-Discovery EPR, UPnP UDN, MAC, serial. */
  identifiers: { epr?: string; udn?: string; mac?: string; serial?: string };
  /** The local interface it arrived on. */
  interface?: string;
  protocol: Protocol;
}

export interface SweepSummary {
  id: string;
  startedAt: string;
  finishedAt: string;
  devices: number;
  restricted: number;
  review: number;
  clear: number;
  errors: number;
  interfaces: string[];
  /** Number of change events the sweep brought when it was recorded. Optional; the store always sets it. */
  changes?: number;
}

export interface DeviceFilter {
  status?: DeviceStatus[];
  manufacturer?: string;
  kind?: DeviceKind[];
  /** ISO time: last seen at or after. */
  seenSince?: string;
  /** Interface name or IPv4 CIDR. */
  network?: string;
}

export interface Inventory {
  /**
   * Stores a sweep and returns the changes it brought, in a stable order. Idempotent per sweep
   * id. `partial`: a sighting, devices identified outside a sweep (from their announcements):
   * no device it lacks is gone, and it is not a sweep (`sweeps`, `diff` and retention count
   * sweeps only).
   */
  recordSweep(result: SweepResult, options?: { partial?: boolean }): ChangeEvent[];
  /**
   * Marks the device a goodbye names as possibly gone and returns its device-leaving event;
   * nothing (no event, nothing stored) when no present device matches or it already said
   * goodbye. Idempotent per departure id.
   */
  recordDeparture(departure: Departure): ChangeEvent[];
  devices(filter?: DeviceFilter): InventoryDevice[];
  /** By inventory id, IP or MAC. */
  device(ref: string): InventoryDevice | undefined;
  sweeps(limit?: number): SweepSummary[];
  /** Changes between two stored sweeps (default: the last two). */
  diff(from?: string, to?: string): ChangeEvent[];
  close(): void;
}
