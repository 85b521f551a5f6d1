import type { Device, SweepResult } from '../domain/types.ts';

/**
 * What evidence the sweep document shows. `full`: every observation. `useful` (the default):
 * every observation but the XML namespace declarations (`wsd.namespace`, `onvif.namespace`,
 * `upnp.namespace`: a third of a sweep's evidence rows, mostly the SOAP envelope's standard
 * namespaces) that no fingerprint matched. Filtered here, at output time, after judging: the
 * fingerprints read those fields (a vendor's own namespace names its maker), and the inventory
 * and the report keep them whole.
 */
export type EvidenceMode = 'useful' | 'full';
export const EVIDENCE_MODES: readonly EvidenceMode[] = ['useful', 'full'];

const isNamespace = (field: string): boolean => field.endsWith('.namespace');

export function usefulEvidence(device: Device): { device: Device; omitted: number } {
  if (!device.evidence.some((e) => isNamespace(e.field))) return { device, omitted: 0 };
  const matched = new Set((device.attribution?.matches ?? []).map((m) => `${m.field}\u0000${m.value}`));
  const evidence = device.evidence.filter((e) => !isNamespace(e.field) || matched.has(`${e.field}\u0000${e.value}`));
  return { device: { ...device, evidence }, omitted: device.evidence.length - evidence.length };
}

/** The sweep document as `mode` shows it; with omissions, `evidenceOmitted` counts them. */
export function withEvidence(result: SweepResult, mode: EvidenceMode): SweepResult {
  if (mode === 'full') return result;
  let omitted = 0;
  const devices = result.devices.map((d) => {
    const r = usefulEvidence(d);
    omitted += r.omitted;
    return r.device;
  });
  return omitted === 0 ? result : { ...result, devices, evidenceOmitted: omitted };
}
