import type { Device, DeviceKind } from '../domain/types.ts';
import { attribute, withMacEvidence, type FingerprintDb } from '../fingerprint/index.ts';
import { decide } from '../policy/decide.ts';
import type { Policy } from '../policy/load.ts';
import { isVideoKind } from './classify.ts';
import { protocolsOf } from './merge.ts';

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
 * policy gives the status with its pack, rule and source. Pure given the loaded judge.
 */
export function judgeDevice(device: Device, judge: Judge, asOf: Date): Device {
  const evidence = withMacEvidence(device.evidence, device.mac);
  const attribution = attribute(evidence, judge.db);
  const kind = chooseKind(device.kind, attribution.kind);
  const verdict = decide({ kind, attribution }, judge.policy, { threshold: judge.threshold, asOf });
  return {
    ...device,
    manufacturer: attribution.manufacturer,
    // The label: the brand a fingerprint recognised, else what the device calls itself.
    brand: attribution.brand ?? device.brand,
    model: attribution.model ?? device.model,
    kind,
    confidence: round(attribution.confidence),
    status: verdict.status,
    protocols: protocolsOf(evidence),
    evidence,
    attribution,
    verdict,
  };
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
