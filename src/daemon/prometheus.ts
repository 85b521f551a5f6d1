/**
 * A small metrics registry rendering the Prometheus text exposition format (version 0.0.4):
 * `# HELP` and `# TYPE` lines, then one sample per line, label values escaped. Counters, gauges
 * (set, or collected when scraped) and histograms with fixed buckets. Pure: no I/O, no timers.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(value: number): void;
}

export interface Registry {
  /** `initial`: label sets shown as 0 before anything is counted (so a series exists from the start). */
  counter(name: string, help: string, initial?: readonly Labels[]): Counter;
  /** `collect`: read the value(s) when scraped instead of storing them. */
  gauge(name: string, help: string, options?: { initial?: readonly Labels[]; collect?: () => number | ReadonlyArray<{ labels: Labels; value: number }> }): Gauge;
  histogram(name: string, help: string, buckets: readonly number[]): Histogram;
  render(): string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/u;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/u;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/gu, '\\\\').replace(/"/gu, '\\"').replace(/\n/gu, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/gu, '\\\\').replace(/\n/gu, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!LABEL.test(k)) throw new Error(`metrics: bad label name ${k}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

type Series = Map<string, { labels: Labels; value: number }>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

export function createRegistry(): Registry {
  const families: Family[] = [];
  const names = new Set<string>();

  const register = (name: string, family: Family): void => {
    if (!NAME.test(name)) throw new Error(`metrics: bad metric name ${name}`);
    if (names.has(name)) throw new Error(`metrics: ${name} registered twice`);
    names.add(name);
    families.push(family);
  };

  const seriesLines = (name: string, series: Series): string[] => [...series.values()].map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);

  return {
    counter(name, help, initial = []) {
      const series: Series = new Map(initial.map((l) => [labelKey(l), { labels: l, value: 0 }]));
      register(name, { name, help, type: 'counter', lines: () => seriesLines(name, series) });
      return {
        inc(labels = {}, by = 1) {
          if (!(by >= 0)) throw new Error(`metrics: counter ${name} can only go up`);
          const key = labelKey(labels);
          const s = series.get(key);
          if (s) s.value += by;
          else series.set(key, { labels, value: by });
        },
        get: (labels = {}) => series.get(labelKey(labels))?.value ?? 0,
      };
    },
    gauge(name, help, options = {}) {
      const series: Series = new Map((options.initial ?? []).map((l) => [labelKey(l), { labels: l, value: 0 }]));
      const collect = options.collect;
      register(name, {
        name,
        help,
        type: 'gauge',
        lines: () => {
          if (collect === undefined) return seriesLines(name, series);
          const v = collect();
          return typeof v === 'number' ? [`${name} ${formatValue(v)}`] : v.map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
        },
      });
      return {
        set(value, labels = {}) {
          series.set(labelKey(labels), { labels, value });
        },
        get: (labels = {}) => series.get(labelKey(labels))?.value ?? 0,
      };
    },
    histogram(name, help, buckets) {
      const bounds = [...buckets].sort((a, b) => a - b);
      const counts = bounds.map(() => 0);
      let sum = 0;
      let count = 0;
      register(name, {
        name,
        help,
        type: 'histogram',
        lines: () => [
          ...bounds.map((b, i) => `${name}_bucket{le="${formatValue(b)}"} ${counts[i] ?? 0}`),
          `${name}_bucket{le="+Inf"} ${count}`,
          `${name}_sum ${formatValue(sum)}`,
          `${name}_count ${count}`,
        ],
      });
      return {
        observe(value) {
          bounds.forEach((b, i) => {
            if (value <= b) counts[i] = (counts[i] ?? 0) + 1;
          });
          sum += value;
          count += 1;
        },
      };
    },
    render() {
      const out: string[] = [];
      for (const f of families) {
        out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.lines());
      }
      return `${out.join('\n')}\n`;
    },
  };
}
