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
 *
 * IPv6 sources together get at most IPV6_SHARE of the total. Link-local addresses cost
 * nothing to mint (one per datagram, each with a fresh bucket), so without a share of their
 * own a flood from rotating IPv6 sources would take every total token and starve the IPv4
 * devices, the ones identified (an IPv6 announcement of a device with IPv4 says nothing new).
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

/** The part of the total rate and burst all IPv6 sources together may use. */
export const IPV6_SHARE = 0.5;

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
  const v6Burst = Math.max(1, limits.totalBurst * IPV6_SHARE);
  const v6: Bucket = { tokens: v6Burst, at: now() };

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
      const ipv6 = source.includes(':');
      if (ipv6) {
        refill(v6, t, limits.totalPerSecond * IPV6_SHARE, v6Burst);
        if (v6.tokens < 1) return 'rate-total';
        v6.tokens -= 1;
      }
      b.tokens -= 1;
      total.tokens -= 1;
      return 'pass';
    },
    get sources() {
      return buckets.size;
    },
  };
}
