import type { Observation } from '../domain/types.ts';

/**
 * The observations of one sweep, by host, with its bounds: at most `maxHosts` hosts (replies
 * from further hosts are dropped and counted) and `maxObservationsPerHost` observations each.
 */
export interface ObservationStore {
  /** Keeps the observation; false when a bound dropped it. */
  add(obs: Observation): boolean;
  /** Hosts kept. */
  readonly hosts: number;
  /** Replies dropped because they came from hosts beyond `maxHosts`. */
  readonly hostsDropped: number;
  /** Observations kept. */
  readonly size: number;
  all(): Observation[];
  /** The observations of one host (source address) so far. */
  forHost(ip: string): readonly Observation[];
}

export function createObservationStore(limits: { maxHosts: number; maxObservationsPerHost: number }): ObservationStore {
  const byHost = new Map<string, Observation[]>();
  let hostsDropped = 0;
  let size = 0;
  return {
    add(obs) {
      let list = byHost.get(obs.ip);
      if (!list) {
        if (byHost.size >= limits.maxHosts) {
          hostsDropped += 1;
          return false;
        }
        list = [];
        byHost.set(obs.ip, list);
      }
      if (list.length >= limits.maxObservationsPerHost) return false;
      list.push(obs);
      size += 1;
      return true;
    },
    get hosts() {
      return byHost.size;
    },
    get hostsDropped() {
      return hostsDropped;
    },
    get size() {
      return size;
    },
    all: () => [...byHost.values()].flat(),
    forHost: (ip) => byHost.get(ip) ?? [],
  };
}
