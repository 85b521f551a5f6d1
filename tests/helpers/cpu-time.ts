/**
 * CPU time (user + system) `fn` took, in milliseconds, for the tests that bound how long a pure
 * computation may take (a decoder staying linear on pathological input): unlike wall time it
 * does not grow while a busy machine keeps the process waiting for a core, so the bound keeps
 * its meaning (tests/lab/README.md, "Timings belong to the benchmarks").
 */
export function cpuMs<T>(fn: () => T): { ms: number; value: T } {
  const before = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, value };
}
