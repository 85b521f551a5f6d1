/**
 * A concurrency limiter: at most `max` tasks run at once, the rest wait in FIFO order.
 * `pending` counts queued plus running tasks.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly pending: number;
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('limit must be a positive integer');
  let active = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (active >= max) return;
    const start = queue.shift();
    if (start) {
      active += 1;
      start();
    }
  };
  return {
    get pending() {
      return active + queue.length;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              next();
            });
        });
        next();
      });
    },
  };
}
