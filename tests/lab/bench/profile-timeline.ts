/**
 * Reading a V8 CPU profile (`--cpu-prof`) of one sweep (pure): the functions with the most self
 * time, and where the samples went by phase of the process, in all and on a timeline. A
 * sample's phase is the first marker found walking up its stack (CATEGORIES, in order), so time
 * spent compiling a module imported by the enrichment counts as module loading.
 */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Phase name, and a test on one stack frame (function name, url). */
const CATEGORIES: ReadonlyArray<readonly [string, (fn: string, url: string) => boolean]> = [
  ['idle', (fn) => fn === '(idle)'],
  ['gc', (fn) => fn === '(garbage collector)'],
  ['fingerprint db', (fn) => fn === 'loadFingerprintDb' || fn === 'loadFingerprintSnapshot'],
  ['policy', (fn) => fn === 'loadPolicy'],
  ['config', (fn) => fn === 'checkConfig'],
  ['oui table', (fn) => fn === 'loadOuiNames' || fn === 'loadOuiData' || fn === 'parseOuiNames'],
  ['verdicts', (fn) => fn === 'judgeDevice'],
  ['merge', (fn) => fn === 'mergeObservations'],
  ['output', (fn, url) => fn === 'formatChunks' || url.includes('/src/output/')],
  ['enrichment', (fn, url) => fn === 'runTask' || url.includes('/src/enrich/') || url.includes('/src/util/http.ts') || url.includes('/src/util/stream.ts')],
  ['discovery', (_fn, url) => url.includes('/src/discovery/')],
  ['logging', (_fn, url) => url.includes('/node_modules/pino')],
  ['module loading', (fn, url) => url.startsWith('node:internal/modules/') || fn === 'compileSourceTextModule' || url.includes('amaro')],
];

function labels(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const memo = new Map<number, string>();
  const label = (id: number): string => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    // The innermost marker wins for idle/gc (leaf frames); otherwise the outermost phase marker.
    let found = 'other';
    let cur: number | undefined = id;
    const stack: ProfileNode[] = [];
    while (cur !== undefined) {
      const node = byId.get(cur);
      if (node === undefined) break;
      stack.push(node);
      cur = parent.get(cur);
    }
    for (const [name, test] of CATEGORIES) {
      if (stack.some((node) => test(node.callFrame.functionName, node.callFrame.url))) {
        found = name;
        break;
      }
    }
    memo.set(id, found);
    return found;
  };
  const out = new Map<number, string>();
  for (const node of profile.nodes) out.set(node.id, label(node.id));
  return out;
}

const ms = (us: number): string => (us / 1000).toFixed(0);

/** Milliseconds of samples per phase, largest first. */
export function categoryTotals(profile: CpuProfile): string[] {
  const label = labels(profile);
  const totals = new Map<string, number>();
  for (const [i, id] of profile.samples.entries()) {
    const name = label.get(id) ?? 'other';
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([name, us]) => `${ms(us).padStart(7)} ms  ${name}`);
}

/** One line per `sliceMs` from the profile's start: the phases that took that slice's samples. */
export function timeline(profile: CpuProfile, sliceMs: number): string[] {
  const label = labels(profile);
  const slices: Array<Map<string, number>> = [];
  let t = 0;
  for (const [i, id] of profile.samples.entries()) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const k = Math.floor(t / 1000 / sliceMs);
    const slice = (slices[k] ??= new Map());
    const name = label.get(id) ?? 'other';
    slice.set(name, (slice.get(name) ?? 0) + dt);
  }
  return slices.map((slice, k) => {
    const parts = [...(slice ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]).filter(([, us]) => us >= 5000);
    return `${String(k * sliceMs).padStart(6)} ms  ${parts.map(([name, us]) => `${name} ${ms(us)}`).join(', ')}`;
  });
}

/** The `limit` functions with the most self time. */
export function topSelf(profile: CpuProfile, limit: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const [i, id] of profile.samples.entries()) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|src|tests)\//u, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, us]) => `${ms(us).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}
