/**
 * Checks the system tools a script needs before it runs: the private network namespace
 * (unshare, setpriv from util-linux; ip from iproute2) for everything, and, for the test suite
 * and the nmap comparison and benchmarks (`--for test`, the default), the independent clients
 * the lab tests use (nmap, gssdp-discover, curl, /usr/bin/python3 with zeroconf) and the PostgreSQL
 * server the central service's tests start a throwaway cluster of (Debian's `postgresql`:
 * docs/decisions/postgresql.md) and the Chromium the console's tests drive (Debian's
 * `chromium`: docs/decisions/console.md). `npm run demo`
 * asks `--for demo`: only the namespace tools, so it starts without root on a machine that has
 * them. When something is missing and we are root with apt-get, installs the Debian packages
 * non-interactively; otherwise exits 1 naming the packages.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export type Purpose = 'demo' | 'test';

export interface Requirement {
  /** What the suite runs. */
  what: string;
  /** The Debian package that provides it. */
  pkg: string;
  present: () => boolean;
  /** Only the test suite (and the comparisons) need it; the demo does not. */
  testsOnly?: boolean;
}

export function onPath(tool: string, pathEnv = process.env.PATH ?? ''): boolean {
  return pathEnv
    .split(':')
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        accessSync(path.join(dir, tool), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** The oldest PostgreSQL the central service supports. */
export const MIN_POSTGRES_MAJOR = 15;

/**
 * The bin directory of the newest PostgreSQL server installed (`initdb` and `postgres` in it,
 * major >= 15): $CAMSWEEP_PG_BINDIR, else Debian's /usr/lib/postgresql/<major>/bin; null when none.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env, root = '/usr/lib/postgresql'): string | null {
  const usable = (dir: string): boolean => {
    try {
      accessSync(path.join(dir, 'initdb'), constants.X_OK);
      accessSync(path.join(dir, 'postgres'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.CAMSWEEP_PG_BINDIR) return usable(env.CAMSWEEP_PG_BINDIR) ? env.CAMSWEEP_PG_BINDIR : null;
  let majors: number[];
  try {
    majors = readdirSync(root)
      .filter((d) => /^\d+$/u.test(d))
      .map(Number)
      .filter((m) => m >= MIN_POSTGRES_MAJOR)
      .sort((a, b) => b - a);
  } catch {
    return null;
  }
  for (const m of majors) {
    const dir = path.join(root, String(m), 'bin');
    if (usable(dir)) return dir;
  }
  return null;
}

/** Debian's chromium: the console's browser tests and the report's PDF (docs/decisions/console.md). */
export function chromiumPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  for (const p of env.CAMSWEEP_CHROMIUM ? [env.CAMSWEEP_CHROMIUM] : ['/usr/bin/chromium']) {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      // not this one
    }
  }
  return false;
}

function pythonHasZeroconf(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import zeroconf'], { stdio: 'ignore' });
  return r.status === 0;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { what: 'unshare', pkg: 'util-linux', present: () => onPath('unshare') },
  { what: 'setpriv', pkg: 'util-linux', present: () => onPath('setpriv') },
  { what: 'ip', pkg: 'iproute2', present: () => onPath('ip') },
  { what: 'nmap', pkg: 'nmap', present: () => onPath('nmap'), testsOnly: true },
  { what: 'gssdp-discover', pkg: 'gupnp-tools', present: () => onPath('gssdp-discover'), testsOnly: true },
  { what: 'curl', pkg: 'curl', present: () => onPath('curl'), testsOnly: true },
  { what: '/usr/bin/python3 with zeroconf', pkg: 'python3-zeroconf', present: pythonHasZeroconf, testsOnly: true },
  { what: `PostgreSQL ${MIN_POSTGRES_MAJOR}+ server`, pkg: 'postgresql', present: () => postgresBinDir() !== null, testsOnly: true },
  // The console's tests drive it (playwright-core), and `camsweep central report --format pdf` prints with it.
  { what: 'Chromium (/usr/bin/chromium)', pkg: 'chromium', present: () => chromiumPresent(), testsOnly: true },
];

/** What `purpose` needs: the demo only the namespace tools. */
export const requirementsFor = (purpose: Purpose): readonly Requirement[] => (purpose === 'demo' ? REQUIREMENTS.filter((r) => r.testsOnly !== true) : REQUIREMENTS);

export type Plan =
  | { action: 'ok' }
  | { action: 'install'; packages: string[] }
  | { action: 'fail'; message: string };

/** What to do about the missing requirements (pure). */
export function planFor(missing: readonly Requirement[], env: { isRoot: boolean; hasApt: boolean }): Plan {
  if (missing.length === 0) return { action: 'ok' };
  const packages = [...new Set(missing.map((r) => r.pkg))];
  if (env.isRoot && env.hasApt) return { action: 'install', packages };
  const why = env.hasApt ? 'not root' : 'no apt-get';
  return {
    action: 'fail',
    message:
      `system-deps: missing ${missing.map((r) => r.what).join(', ')}; cannot install (${why}).\n` +
      `Install the Debian packages: apt-get install ${packages.join(' ')}`,
  };
}

function run(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function main(argv: readonly string[]): number {
  const at = argv.indexOf('--for');
  const purpose = at >= 0 ? argv[at + 1] : 'test';
  if (purpose !== 'demo' && purpose !== 'test') {
    process.stderr.write(`system-deps: --for demo|test (got ${purpose ?? 'nothing'})\n`);
    return 2;
  }
  const needed = requirementsFor(purpose);
  const missing = needed.filter((r) => !r.present());
  const plan = planFor(missing, { isRoot: process.getuid?.() === 0, hasApt: onPath('apt-get') });
  if (plan.action === 'ok') {
    process.stdout.write(`system-deps: ok (${needed.map((r) => r.what).join(', ')})\n`);
    return 0;
  }
  if (plan.action === 'fail') {
    process.stderr.write(`${plan.message}\n`);
    return 1;
  }
  process.stdout.write(`system-deps: installing ${plan.packages.join(' ')}\n`);
  const installed =
    run('apt-get', ['update']) &&
    run('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confold', ...plan.packages]);
  const still = needed.filter((r) => !r.present());
  if (!installed || still.length > 0) {
    process.stderr.write(
      `system-deps: still missing ${still.map((r) => r.what).join(', ') || '(apt-get failed)'}; install: ${plan.packages.join(' ')}\n`,
    );
    return 1;
  }
  process.stdout.write('system-deps: ok\n');
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
