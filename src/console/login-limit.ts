import { randomUUID } from 'node:crypto';
import { ipSortKey } from '../util/ip-sort-key.ts';

/**
 * Login attempts, rate limited: failures are counted per client address and per
 * user name over a sliding window (a guesser moving between names meets the first, one spread
 * over many addresses the second), and at most a few password checks run at once (scrypt costs
 * ~100 ms and 32 MiB each: a flood must not take the machine). Bounded memory: the oldest
 * entries go first past `maxEntries`. An attempt still being checked counts against both
 * limits until its outcome is known (else a few sent at once would all pass the count), and an
 * IPv6 address counts as its /64 (`addressKey`).
 *
 * With `shared` (the central store), the counts are also kept in the store, which every
 * `central serve` on it reads: several processes behind one balancer then grant the allowance
 * once, not once each. Each attempt is written before its password is checked (so attempts in
 * flight in other processes count too) and forgotten when it succeeds. The in-process windows
 * stay: they refuse a flood without a database round trip. Two processes that read the count at
 * the same moment may both go on: the overshoot is bounded by the processes' password checks at
 * once. Should the store fail, the in-process limits still hold.
 */

/** The limits' window (per address and per user name); the store prunes older attempts. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

/** The store's side of the limits (CentralStore.console). */
export interface SharedAttempts {
  loginAttempts(scope: 'address' | 'user', key: string, since: number): Promise<{ n: number; oldest: number | null }>;
  addLoginAttempt(a: { attempt: string; address: string; user: string; at: number }): Promise<void>;
  loginSucceeded(attempt: string, user: string): Promise<void>;
}

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
  shared?: SharedAttempts;
  /** Told when the store could not be read or written (the in-process limits held alone). */
  onSharedError?: (err: unknown) => void;
}

export type LimitVerdict = { ok: true; release: () => void; attempt?: string } | { ok: false; retryAfterS: number; why: string };

/** Seconds until the oldest attempt counted leaves the window (at least 1). */
const secondsUntilFree = (oldest: number, rule: LimitRule, now: number): number => Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));

class Window {
  private readonly hits = new Map<string, number[]>();
  /** Attempts being checked now, by key (at most as many as checks run at once). */
  private readonly pending = new Map<string, number>();
  readonly rule: LimitRule;
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
    return secondsUntilFree(list[0]!, this.rule, now);
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
  private readonly shared: SharedAttempts | undefined;
  private readonly onSharedError: (err: unknown) => void;
  private running = 0;

  constructor(o: LoginLimitOptions) {
    this.now = o.now;
    const max = o.maxEntries ?? 10_000;
    this.address = new Window(o.perAddress ?? { max: 20, windowMs: LOGIN_WINDOW_MS }, max);
    this.user = new Window(o.perUser ?? { max: 5, windowMs: LOGIN_WINDOW_MS }, max);
    this.concurrent = o.concurrent ?? 4;
    this.shared = o.shared;
    this.onSharedError = o.onSharedError ?? (() => undefined);
  }

  /** May this attempt go on? When it may, `release` must be called once its check is done. */
  async begin(address: string, user: string): Promise<LimitVerdict> {
    const now = this.now();
    const where = addressKey(address);
    const who = user.toLowerCase();
    const a = this.address.wait(where, now);
    if (a > 0) return { ok: false, retryAfterS: a, why: 'address' };
    const u = this.user.wait(who, now);
    if (u > 0) return { ok: false, retryAfterS: u, why: 'user' };
    if (this.running >= this.concurrent) return { ok: false, retryAfterS: 1, why: 'busy' };
    // Held before the store is asked, so this process's other attempts see it meanwhile.
    this.running += 1;
    this.address.hold(where);
    this.user.hold(who);
    let done = false;
    const release = (): void => {
      if (done) return;
      done = true;
      this.running -= 1;
      this.address.drop(where);
      this.user.drop(who);
    };
    if (this.shared === undefined) return { ok: true, release };
    try {
      const [byAddress, byUser] = await Promise.all([
        this.shared.loginAttempts('address', where, now - this.address.rule.windowMs),
        this.shared.loginAttempts('user', who, now - this.user.rule.windowMs),
      ]);
      const full = (c: { n: number; oldest: number | null }, rule: LimitRule): number => (c.n < rule.max ? 0 : secondsUntilFree(c.oldest ?? now, rule, now));
      const sa = full(byAddress, this.address.rule);
      const su = sa > 0 ? 0 : full(byUser, this.user.rule);
      if (sa > 0 || su > 0) {
        release();
        return sa > 0 ? { ok: false, retryAfterS: sa, why: 'address' } : { ok: false, retryAfterS: su, why: 'user' };
      }
      const attempt = randomUUID();
      await this.shared.addLoginAttempt({ attempt, address: where, user: who, at: now });
      return { ok: true, release, attempt };
    } catch (err) {
      this.onSharedError(err);
      return { ok: true, release };
    }
  }

  /** A wrong user name or password (the store keeps the attempt written by begin()). */
  failed(address: string, user: string): void {
    const now = this.now();
    this.address.add(addressKey(address), now);
    this.user.add(user.toLowerCase(), now);
  }

  /** A sign-in that worked: the user's failures are forgotten, here and in the store. */
  async succeeded(user: string, attempt?: string): Promise<void> {
    const who = user.toLowerCase();
    this.user.clear(who);
    if (this.shared === undefined || attempt === undefined) return;
    try {
      await this.shared.loginSucceeded(attempt, who);
    } catch (err) {
      this.onSharedError(err);
    }
  }
}
