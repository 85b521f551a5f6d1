import type { CentralEvent } from '../events.ts';

/**
 * A place events are forwarded to. `send` resolves with what happened; it never throws for a
 * delivery failure. `retry: false` means the sink refused this event for good (a 4xx other
 * than 408/429): it goes to the dead letters instead of being retried forever.
 */
export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string };

export interface Sink {
  /** Stable id, stored with each queued event (e.g. `webhook:https://hooks.example/camsweep`). */
  readonly id: string;
  send(event: CentralEvent, body: string): Promise<SendResult>;
  close(): Promise<void>;
}

/** What an HTTP status means for a forwarded event. */
export function httpResult(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return { ok: true };
  const retry = status === 408 || status === 429 || status >= 500;
  return { ok: false, retry, error: `HTTP ${status}: ${body.slice(0, 200)}` };
}
