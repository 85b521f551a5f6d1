/**
 * The gate every datagram heard between sweeps passes before it is decoded (pure, clock
 * injected): a token bucket per source address and one for all sources together. A source
 * over its rate loses its own datagrams only; the total bucket bounds what a crowd of sources
 * (or one rotating through forged addresses) can cost. What a booting device sends fits the
 * per-source burst with room to spare: a Hello, a NOTIFY per root device, UUID, type and
 * service (sent two or three times), a few mDNS announcements and a vendor notice.
 *
 * Memory is bounded: at most `maxSources` buckets, the least recently heard dropped first (a
 * source coming back starts with a full bucket, so the total bucket is the backstop).
 */
export interface GateLimits {
  /** Datagrams per second a source may send on average... */
  perSourcePerSecond: number;
  /** ...and in one burst. */
  perSourceBurst: number;
  /** Datagrams per second from all sources together, and in one burst. */
  totalPerSecond: number;
  totalBurst: number;
  /** Sources whose buckets are kept. */
  maxSources: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = {
  perSourcePerSecond: 5,
  perSourceBurst: 40,
  totalPerSecond: 400,
  totalBurst: 800,
  maxSources: 4096,
};

export type GateVerdict = 'pass' | 'rate-source' | 'rate-total';

export interface Gate {
  admit(source: string): GateVerdict;
  /** Sources tracked now. */
  readonly sources: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createGate(limits: GateLimits, now: () => number): Gate {
  const buckets = new Map<string, Bucket>();
  const total: Bucket = { tokens: limits.totalBurst, at: now() };

  const refill = (b: Bucket, t: number, perSecond: number, burst: number): void => {
    if (t > b.at) b.tokens = Math.min(burst, b.tokens + ((t - b.at) * perSecond) / 1000);
    b.at = Math.max(b.at, t);
  };

  return {
    admit(source) {
      const t = now();
      let b = buckets.get(source);
      if (b === undefined) {
        if (buckets.size >= limits.maxSources) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        b = { tokens: limits.perSourceBurst, at: t };
      } else {
        // Most recently heard last: the first key is the one to drop.
        buckets.delete(source);
        refill(b, t, limits.perSourcePerSecond, limits.perSourceBurst);
      }
      buckets.set(source, b);
      if (b.tokens < 1) return 'rate-source';
      refill(total, t, limits.totalPerSecond, limits.totalBurst);
      if (total.tokens < 1) return 'rate-total';
      b.tokens -= 1;
      total.tokens -= 1;
      return 'pass';
    },
    get sources() {
      return buckets.size;
    },
  };
}
