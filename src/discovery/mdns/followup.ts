/**
 * What to ask next (pure). Learns from decoded records which service types exist, which
 * instances were seen without their SRV/TXT and which SRV targets without an address, and
 * hands out the follow-up questions, each at most `maxAsks` times. Everything is capped so a
 * hostile responder cannot make us query without end.
 */
import { ENUMERATION_TYPE, isHostName, nameKey, serviceTypeOf, splitInstanceName } from './names.ts';
import { hostQuestions, instanceQuestions, serviceTypeLabels, type MdnsQuestion } from './payloads.ts';
import type { MdnsRecord } from './records.ts';

export interface FollowUpLimits {
  /** Service types learned beyond the browse list. */
  maxTypes: number;
  maxInstances: number;
  maxHosts: number;
  /** How many times one question is asked. */
  maxAsks: number;
}

export const DEFAULT_FOLLOW_UP_LIMITS: FollowUpLimits = { maxTypes: 32, maxInstances: 64, maxHosts: 64, maxAsks: 2 };

/** Names seen with a given record type; bounded so the sets cannot grow without end. */
const MAX_SEEN = 1024;

interface Pending {
  asks: number;
}

export class FollowUpTracker {
  private readonly limits: FollowUpLimits;
  private readonly browsed: Set<string>;
  private readonly types = new Map<string, Pending>();
  private readonly instances = new Map<string, Pending & { instance: string; type: string }>();
  private readonly hosts = new Map<string, Pending & { host: string }>();
  private readonly withSrv = new Set<string>();
  private readonly withTxt = new Set<string>();
  private readonly withAddress = new Set<string>();

  /** `browsed`: the types every browse round asks for already. */
  constructor(browsed: readonly string[], limits: Partial<FollowUpLimits> = {}) {
    this.limits = { ...DEFAULT_FOLLOW_UP_LIMITS, ...limits };
    this.browsed = new Set(browsed.map((t) => t.toLowerCase()));
  }

  learn(records: readonly MdnsRecord[]): void {
    for (const r of records) {
      const key = nameKey(r.name);
      if (r.type === 'SRV') {
        remember(this.withSrv, key);
        this.addHost(r.data.target);
        this.addInstance(r.name);
      } else if (r.type === 'TXT') {
        remember(this.withTxt, key);
        this.addInstance(r.name);
      } else if (r.type === 'A' || r.type === 'AAAA') {
        remember(this.withAddress, key);
      } else if (key === `${ENUMERATION_TYPE}.local`) {
        const type = serviceTypeOf(r.data);
        if (type && !splitInstanceName(r.data)) this.addType(type);
      } else {
        const type = serviceTypeOf(r.name);
        if (!type) continue;
        this.addType(type);
        this.addInstance(r.data);
      }
    }
  }

  /** Learned types not in the browse list (for re-query rounds). */
  learnedTypes(): string[] {
    return [...this.types.keys()];
  }

  /** Whether pending() would return any question (counts nothing). */
  hasPending(): boolean {
    const { maxAsks } = this.limits;
    for (const p of this.types.values()) if (p.asks < maxAsks) return true;
    for (const [key, p] of this.instances) {
      if (p.asks < maxAsks && (!this.withSrv.has(key) || !this.withTxt.has(key))) return true;
    }
    for (const [key, p] of this.hosts) if (p.asks < maxAsks && !this.withAddress.has(key)) return true;
    return false;
  }

  /** Questions still worth asking; each call counts as one ask for what it returns. */
  pending(): MdnsQuestion[] {
    const { maxAsks } = this.limits;
    const out: MdnsQuestion[] = [];
    for (const [type, p] of this.types) {
      if (p.asks >= maxAsks) continue;
      p.asks += 1;
      out.push({ labels: serviceTypeLabels(type), type: 'PTR' });
    }
    for (const [key, p] of this.instances) {
      const needSrv = !this.withSrv.has(key);
      const needTxt = !this.withTxt.has(key);
      if ((!needSrv && !needTxt) || p.asks >= maxAsks) continue;
      p.asks += 1;
      for (const q of instanceQuestions([p])) {
        if ((q.type === 'SRV' && needSrv) || (q.type === 'TXT' && needTxt)) out.push(q);
      }
    }
    for (const [key, p] of this.hosts) {
      if (this.withAddress.has(key) || p.asks >= maxAsks) continue;
      p.asks += 1;
      out.push(...hostQuestions([p.host]));
    }
    return out;
  }

  private addType(type: string): void {
    if (!type || this.browsed.has(type) || this.types.has(type) || this.types.size >= this.limits.maxTypes) return;
    this.types.set(type, { asks: 0 });
  }

  private addInstance(fullName: string): void {
    const split = splitInstanceName(fullName);
    if (!split) return;
    const key = nameKey(fullName);
    if (this.instances.has(key) || this.instances.size >= this.limits.maxInstances) return;
    this.instances.set(key, { asks: 0, ...split });
  }

  private addHost(target: string): void {
    if (!isHostName(target)) return;
    const key = nameKey(target);
    if (this.hosts.has(key) || this.hosts.size >= this.limits.maxHosts) return;
    this.hosts.set(key, { asks: 0, host: target.replace(/\.$/u, '') });
  }
}

function remember(set: Set<string>, key: string): void {
  if (set.size < MAX_SEEN) set.add(key);
}
