/**
 * Replies seen (socket-free): repeats (the same reply to each of our repeated probes, or to the
 * group and to us) are recognised while the set has room; past `max` keys nothing more is
 * remembered, so a flood of distinct replies costs no memory (the merger de-duplicates
 * evidence anyway). The per-host error cap is src/domain/error-log.ts.
 */

/** `firstTime(key)`: true the first time a key is offered (and whenever the set is full). */
export function seenOnce(max: number): (key: string) => boolean {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return false;
    if (seen.size < max) seen.add(key);
    return true;
  };
}
