import { ipSortKey } from '../util/ip-sort-key.ts';

/**
 * Login attempts, rate limited in this process: failures are counted per client address and per
 * user name over a sliding window (a guesser moving between names meets the first, one spread
 * over many addresses the second), and at most a few password checks run at once (scrypt costs
 * ~100 ms and 32 MiB each: a flood must not take the machine). Bounded memory: the oldest
 * entries go first past `maxEntries`. An attempt still being checked counts against both
 * limits until its outcome is known (else a few sent at once would all pass the count), and an
 * IPv6 address counts as its /64 (`addressKey`).
 */

/**
 * The key a client address is counted under: an IPv6 address by its /64 (a host is commonly
 * given a whole /64, and could take a new address for every attempt), an IPv4-mapped IPv6
 * address (`::ffff:10.0.0.1`, as a dual-stack listener sees IPv4 clients) as that IPv4 address.
 */
export function addressKey(address: string): string {
  const key = ipSortKey(address);
  if (key.startsWith('6')) {
    const hex = key.slice(1, 33);
    return hex.startsWith('00000000000000000000ffff') ? `4${hex.slice(24)}` : `6${hex.slice(0, 16)}/64`;
  }
  return key === '9' ? address : key;
}

export interface LimitRule {
  max: number;
  windowMs: number;
}

export interface LoginLimitOptions {
  now: () => number;
  perAddress?: LimitRule;
  perUser?: LimitRule;
  /** Password checks at once; more are refused (429) until one ends. */
  concurrent?: number;
  maxEntries?: number;
}

export type LimitVerdict = { ok: true; release: () => void } | { ok: false; retryAfterS: number; why: string };

class Window {
  private readonly hits = new Map<string, number[]>();
  /** Attempts being checked now, by key (at most as many as checks run at once). */
  private readonly pending = new Map<string, number>();
  private readonly rule: LimitRule;
  private readonly maxEntries: number;
  constructor(rule: LimitRule, maxEntries: number) {
    this.rule = rule;
    this.maxEntries = maxEntries;
  }

  private live(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < this.rule.windowMs);
    if (list.length === 0) this.hits.delete(key);
    else this.hits.set(key, list);
    return list;
  }

  /** Seconds until another attempt is allowed, 0 when allowed now. */
  wait(key: string, now: number): number {
    const list = this.live(key, now);
    if (list.length + (this.pending.get(key) ?? 0) < this.rule.max) return 0;
    // Full only with attempts still being checked: their outcome is known in a moment.
    if (list.length < this.rule.max) return 1;
    return Math.max(1, Math.ceil((list[0]! + this.rule.windowMs - now) / 1000));
  }

  hold(key: string): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  drop(key: string): void {
    const n = (this.pending.get(key) ?? 0) - 1;
    if (n > 0) this.pending.set(key, n);
    else this.pending.delete(key);
  }

  add(key: string, now: number): void {
    const list = this.live(key, now);
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list.slice(-this.rule.max));
    while (this.hits.size > this.maxEntries) this.hits.delete(this.hits.keys().next().value!);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }
}

export class LoginLimiter {
  private readonly now: () => number;
  private readonly address: Window;
  private readonly user: Window;
  private readonly concurrent: number;
  private running = 0;

  constructor(o: LoginLimitOptions) {
    this.now = o.now;
    const max = o.maxEntries ?? 10_000;
    this.address = new Window(o.perAddress ?? { max: 20, windowMs: 15 * 60_000 }, max);
    this.user = new Window(o.perUser ?? { max: 5, windowMs: 15 * 60_000 }, max);
    this.concurrent = o.concurrent ?? 4;
  }

  /** May this attempt go on? When it may, `release` must be called once its check is done. */
  begin(address: string, user: string): LimitVerdict {
    const now = this.now();
    const where = addressKey(address);
    const who = user.toLowerCase();
    const a = this.address.wait(where, now);
    if (a > 0) return { ok: false, retryAfterS: a, why: 'address' };
    const u = this.user.wait(who, now);
    if (u > 0) return { ok: false, retryAfterS: u, why: 'user' };
    if (this.running >= this.concurrent) return { ok: false, retryAfterS: 1, why: 'busy' };
    this.running += 1;
    this.address.hold(where);
    this.user.hold(who);
    let done = false;
    return {
      ok: true,
      release: () => {
        if (done) return;
        done = true;
        this.running -= 1;
        this.address.drop(where);
        this.user.drop(who);
      },
    };
  }

  failed(address: string, user: string): void {
    const now = this.now();
    this.address.add(addressKey(address), now);
    this.user.add(user.toLowerCase(), now);
  }

  succeeded(user: string): void {
    this.user.clear(user.toLowerCase());
  }
}
