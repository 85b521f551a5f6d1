/**
 * Checks the system tools the test suite needs (run by `npm test` before vitest): the private
 * network namespace (unshare, setpriv from util-linux; ip from iproute2) and the independent
 * clients the lab tests use (nmap, gssdp-discover, curl, /usr/bin/python3 with zeroconf).
 * When something is missing and we are root with apt-get, installs the Debian packages
 * non-interactively; otherwise exits 1 naming the packages.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface Requirement {
  /** What the suite runs. */
  what: string;
  /** The Debian package that provides it. */
  pkg: string;
  present: () => boolean;
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

function pythonHasZeroconf(): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import zeroconf'], { stdio: 'ignore' });
  return r.status === 0;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { what: 'unshare', pkg: 'util-linux', present: () => onPath('unshare') },
  { what: 'setpriv', pkg: 'util-linux', present: () => onPath('setpriv') },
  { what: 'ip', pkg: 'iproute2', present: () => onPath('ip') },
  { what: 'nmap', pkg: 'nmap', present: () => onPath('nmap') },
  { what: 'gssdp-discover', pkg: 'gupnp-tools', present: () => onPath('gssdp-discover') },
  { what: 'curl', pkg: 'curl', present: () => onPath('curl') },
  { what: '/usr/bin/python3 with zeroconf', pkg: 'python3-zeroconf', present: pythonHasZeroconf },
];

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

function main(): number {
  const missing = REQUIREMENTS.filter((r) => !r.present());
  const plan = planFor(missing, { isRoot: process.getuid?.() === 0, hasApt: onPath('apt-get') });
  if (plan.action === 'ok') {
    process.stdout.write(`system-deps: ok (${REQUIREMENTS.map((r) => r.what).join(', ')})\n`);
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
  const still = REQUIREMENTS.filter((r) => !r.present());
  if (!installed || still.length > 0) {
    process.stderr.write(
      `system-deps: still missing ${still.map((r) => r.what).join(', ') || '(apt-get failed)'}; install: ${plan.packages.join(' ')}\n`,
    );
    return 1;
  }
  process.stdout.write('system-deps: ok\n');
  return 0;
}

if (import.meta.main) process.exitCode = main();
