import type { Device, DeviceKind, DeviceStatus, SweepResult } from '../domain/types.ts';

/**
 * The inventory's contract, shared by the inventory store (src/inventory), the daemon
 * (src/daemon) and the review commands. Devices are tracked across sweeps by a stable id.
 */

/** What changed about the network between one sweep and the inventory before it. */
export type ChangeType =
  | 'device-new' // never seen before
  | 'restricted-new' // never seen before, and restricted (sent to the endpoint at once)
  | 'device-gone' // in the previous sweep, not in this one
  | 'device-back' // seen before, missing from the previous sweep, here again
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
  /** Number of sweeps it was found in. */
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
   * id. `partial`: the result holds devices identified outside a sweep (announcements), so no
   * device it lacks is gone.
   */
  recordSweep(result: SweepResult, options?: { partial?: boolean }): ChangeEvent[];
  devices(filter?: DeviceFilter): InventoryDevice[];
  /** By inventory id, IP or MAC. */
  device(ref: string): InventoryDevice | undefined;
  sweeps(limit?: number): SweepSummary[];
  /** Changes between two stored sweeps (default: the last two). */
  diff(from?: string, to?: string): ChangeEvent[];
  close(): void;
}
