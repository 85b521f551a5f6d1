import type { Observation } from '../../domain/types.ts';

/**
 * Whether a WS-Discovery reply comes from an ONVIF device, whose XAddrs are an ONVIF device
 * service. Printers and Windows hosts answer WS-Discovery too (wprt:PrintDeviceType,
 * pub:Computer); their XAddrs are other services and are not sent ONVIF requests.
 */
export function speaksOnvif(obs: Observation): boolean {
  return obs.evidence.some(
    (e) => e.field.startsWith('onvif.scope.') || (e.field === 'wsd.type' && /NetworkVideo(Transmitter|Storage|Display)$/u.test(e.value)),
  );
}
