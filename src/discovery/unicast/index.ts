/**
 * Routed networks: unicast probes to configured target ranges (see docs/decisions/unicast.md).
 * Multicast does not cross routers; each address in a target range is asked directly with the
 * same read-only payloads the multicast discoverers send.
 */
export { runUnicastProbe } from './prober.ts';
export type { UnicastContext, UnicastStats } from './prober.ts';
export { createProbeIds, unicastProbes, UNICAST_PROTOCOLS } from './probes.ts';
export type { ProbeIds, UnicastProbe, UnicastProtocol } from './probes.ts';
export { createUnicastReplyHandler } from './replies.ts';
export { createScope } from './scope.ts';
export type { SweepScope } from './scope.ts';
export { DEFAULT_MAX_TARGET_ADDRESSES, MAX_TARGET_ADDRESSES, resolveTargets } from './targets.ts';
export type { TargetPlan } from './targets.ts';
export { progressLine } from './progress.ts';
