import type { Device, DeviceKind, Evidence, MergedDevice } from '../domain/types.ts';
import { isVideoKind } from '../domain/kinds.ts';
import { attribute, withMacEvidence, type FingerprintDb } from '../fingerprint/index.ts';
import { decide } from '../policy/decide.ts';
import type { Policy } from '../policy/load.ts';
import { classifyKind } from './classify.ts';
import { firstValue, protocolsOf } from './merge.ts';

/** What the sweep needs to turn evidence into verdicts: loaded once, before any probe. */
export interface Judge {
  db: FingerprintDb;
  policy: Policy;
  /** Confidence from which a maker counts as established. */
  threshold: number;
}

/**
 * A merged device, judged: its MAC's registry facts join the evidence, fingerprints name the
 * maker (manufacturer of record), the label (brand), model, kind and a confidence, and the
 * policy gives the status with its pack, rule and source. Pure given the loaded judge. The
 * one author of a device's manufacturer, brand, kind, status and verdict: a sweep's device and
 * one identified on its own (an announcement between sweeps) are judged alike.
 */
export function judgeDevice(device: MergedDevice, judge: Judge, asOf: Date): Device {
  const evidence = withMacEvidence(device.evidence, device.mac);
  const attribution = attribute(evidence, judge.db);
  const kind = chooseKind(classifyKind(device.evidence), attribution.kind);
  const verdict = decide({ kind, attribution }, judge.policy, { threshold: judge.threshold, asOf });
  // Field order is the order of the JSON documents (sweep output, inventory records).
  return {
    ip: device.ip,
    addresses: device.addresses,
    mac: device.mac,
    manufacturer: attribution.manufacturer,
    // The label: the brand a fingerprint recognised, else what the device calls itself.
    brand: attribution.brand ?? statedManufacturer(device.evidence),
    model: attribution.model ?? device.model,
    firmware: device.firmware,
    serial: device.serial,
    kind,
    status: verdict.status,
    verdict,
    confidence: round(attribution.confidence),
    protocols: protocolsOf(evidence),
    interfaces: device.interfaces,
    identifiers: device.identifiers,
    evidence,
    attribution,
  };
}

/**
 * The manufacturer a device names itself, in order of how directly it states it (its ONVIF
 * device information first, a scope last): its label when no fingerprint recognises a brand.
 */
export function statedManufacturer(evidence: readonly Evidence[]): string | null {
  return firstValue(evidence, [
    'onvif.manufacturer',
    'upnp.manufacturer',
    'mdns.txt.usb_mfg',
    'mdns.txt.manufacturer',
    'mdns.txt.mfg',
    'onvif.scope.mfr',
    'onvif.scope.manufacturer',
  ]);
}

/**
 * The protocols say what a device does (an ONVIF video transmitter is a camera); a fingerprint
 * may say more precisely what it is (a DS-76xx is a recorder). A fingerprint refines a video
 * kind into another video kind, or names the kind of a device the protocols left as `other`,
 * but never turns an advertised video device into a non-video one.
 */
export function chooseKind(fromProtocols: DeviceKind, fromFingerprints: DeviceKind | null): DeviceKind {
  if (fromFingerprints === null) return fromProtocols;
  if (isVideoKind(fromProtocols)) return isVideoKind(fromFingerprints) ? fromFingerprints : fromProtocols;
  return fromProtocols === 'other' ? fromFingerprints : fromProtocols;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
