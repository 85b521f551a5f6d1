/**
 * The `probed N/M addresses` line a routed sweep shows on a terminal: rewritten in place
 * (carriage return), at most every `intervalMs`, always at the end, then a newline.
 */
export interface ProgressOptions {
  /** Default 250 ms. */
  intervalMs?: number;
  /** Milliseconds (default performance.now). */
  now?: () => number;
}

export function progressLine(write: (text: string) => void, options: ProgressOptions = {}): (probed: number, total: number) => void {
  const intervalMs = options.intervalMs ?? 250;
  const now = options.now ?? ((): number => performance.now());
  let last = Number.NEGATIVE_INFINITY;
  let finished = false;
  return (probed, total) => {
    if (finished) return;
    const done = probed >= total;
    const t = now();
    if (!done && t - last < intervalMs) return;
    last = t;
    write(`\rprobed ${probed}/${total} addresses${done ? '\n' : ''}`);
    finished = done;
  };
}
