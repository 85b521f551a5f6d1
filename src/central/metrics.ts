/**
 * The central service's Prometheus metrics (text format 0.0.4), counted in this process.
 * Labels are from a fixed vocabulary (never a string from the network).
 */

type Labels = Record<string, string>;

const key = (name: string, labels: Labels): string =>
  `${name}${Object.keys(labels).length === 0 ? '' : `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`}`;

export class CentralMetrics {
  readonly #counters = new Map<string, { help: string; values: Map<string, number> }>();
  readonly #gauges = new Map<string, { help: string; read: () => number }>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const entry = { help, values: new Map<string, number>() };
    this.#counters.set(name, entry);
    return (labels = {}, by = 1) => {
      const k = key(name, labels);
      entry.values.set(k, (entry.values.get(k) ?? 0) + by);
    };
  }

  gauge(name: string, help: string, read: () => number): void {
    this.#gauges.set(name, { help, read });
  }

  render(extra: Record<string, { help: string; value: number }> = {}): string {
    const lines: string[] = [];
    for (const [name, c] of this.#counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.values.size === 0) lines.push(`${name} 0`);
      for (const [k, v] of c.values) lines.push(`${k} ${v}`);
    }
    for (const [name, g] of this.#gauges) lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    for (const [name, g] of Object.entries(extra)) lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`);
    return `${lines.join('\n')}\n`;
  }
}
