/**
 * Login attempts, rate limited in this process: failures are counted per client address and per
 * user name over a sliding window (a guesser moving between names meets the first, one spread
 * over many addresses the second), and at most a few password checks run at once (scrypt costs
 * ~100 ms and 32 MiB each: a flood must not take the machine). Bounded memory: the oldest
 * entries go first past `maxEntries`.
 */

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
    if (list.length < this.rule.max) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.rule.windowMs - now) / 1000));
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
    const a = this.address.wait(address, now);
    if (a > 0) return { ok: false, retryAfterS: a, why: 'address' };
    const u = this.user.wait(user.toLowerCase(), now);
    if (u > 0) return { ok: false, retryAfterS: u, why: 'user' };
    if (this.running >= this.concurrent) return { ok: false, retryAfterS: 1, why: 'busy' };
    this.running += 1;
    let done = false;
    return {
      ok: true,
      release: () => {
        if (done) return;
        done = true;
        this.running -= 1;
      },
    };
  }

  failed(address: string, user: string): void {
    const now = this.now();
    this.address.add(address, now);
    this.user.add(user.toLowerCase(), now);
  }

  succeeded(user: string): void {
    this.user.clear(user.toLowerCase());
  }
}
