import { UsageError } from '../../domain/errors.ts';
import { cidrOverlaps, expandRanges, parseCidr, type Cidr } from '../../util/cidr.ts';

/**
 * Which addresses a routed (unicast) sweep probes: the target ranges' host addresses minus
 * every excluded range, refused as a usage error (before anything is sent) when a target is
 * not something a unicast probe may go to, or when there are too many addresses.
 */
export interface TargetPlan {
  /** The target ranges, as parsed. */
  ranges: Cidr[];
  /** Ranges never sent anything. */
  exclude: Cidr[];
  /** Host addresses of `ranges` minus `exclude`, ascending, each once. */
  addresses: string[];
}

/** A /16 (65,534 hosts) fits; anything larger needs `sweep.maxTargetAddresses` raised. */
export const DEFAULT_MAX_TARGET_ADDRESSES = 65_536;
/** The most `sweep.maxTargetAddresses` may allow (a /8). */
export const MAX_TARGET_ADDRESSES = 16_777_216;

/** Ranges a unicast probe never goes to, whoever asks. */
const FORBIDDEN: ReadonlyArray<{ range: Cidr; why: string }> = [
  { text: '0.0.0.0/8', why: '"this network" addresses (0.0.0.0/8) are not hosts' },
  { text: '127.0.0.0/8', why: 'loopback addresses (127.0.0.0/8) are never probed' },
  { text: '224.0.0.0/4', why: 'multicast addresses (224.0.0.0/4) are not unicast targets' },
  { text: '240.0.0.0/4', why: 'reserved and broadcast addresses (240.0.0.0/4, 255.255.255.255) are not unicast targets' },
].map(({ text, why }) => ({ range: parseCidr(text)!, why }));

export interface ResolveTargetsInput {
  targets: ReadonlyArray<string | Cidr>;
  exclude?: ReadonlyArray<string | Cidr>;
  /** Default DEFAULT_MAX_TARGET_ADDRESSES. */
  maxAddresses?: number;
}

function parseAll(items: ReadonlyArray<string | Cidr>, what: string, problems: string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      out.push(item);
      continue;
    }
    const cidr = parseCidr(item);
    if (cidr) out.push(cidr);
    else problems.push(`${what} ${JSON.stringify(item)}: not an IPv4 address or CIDR range (a.b.c.d or a.b.c.d/n)`);
  }
  return out;
}

/** Every problem is reported at once, in one UsageError (the CLI exits 2). */
export function resolveTargets(input: ResolveTargetsInput): TargetPlan {
  const problems: string[] = [];
  const ranges = parseAll(input.targets, 'target', problems);
  const exclude = parseAll(input.exclude ?? [], 'exclude', problems);
  for (const range of ranges) {
    for (const forbidden of FORBIDDEN) {
      if (cidrOverlaps(range, forbidden.range)) problems.push(`target ${range.text}: ${forbidden.why}`);
    }
  }
  const maxAddresses = input.maxAddresses ?? DEFAULT_MAX_TARGET_ADDRESSES;
  let addresses: string[] = [];
  if (problems.length === 0) {
    try {
      addresses = expandRanges(ranges, exclude, maxAddresses);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      problems.push(`targets: ${err.message} (raise sweep.maxTargetAddresses in the configuration to allow it, at most ${MAX_TARGET_ADDRESSES})`);
    }
  }
  if (problems.length > 0) throw new UsageError(problems.length === 1 ? problems[0]! : `bad targets:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  return { ranges, exclude, addresses };
}
