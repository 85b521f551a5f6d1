import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS, onPath, planFor, requirementsFor } from '../../scripts/system-deps.ts';

const fake = (what: string, pkg: string): (typeof REQUIREMENTS)[number] => ({ what, pkg, present: () => false });

describe('scripts/system-deps.ts', () => {
  it('plans nothing when all is present, an install as root with apt-get, a clear failure otherwise', () => {
    expect(planFor([], { isRoot: false, hasApt: false })).toEqual({ action: 'ok' });
    const missing = [fake('nmap', 'nmap'), fake('unshare', 'util-linux'), fake('setpriv', 'util-linux')];
    expect(planFor(missing, { isRoot: true, hasApt: true })).toEqual({ action: 'install', packages: ['nmap', 'util-linux'] });
    const fail = planFor(missing, { isRoot: false, hasApt: true });
    expect(fail.action).toBe('fail');
    expect(fail.action === 'fail' ? fail.message : '').toContain('apt-get install nmap util-linux');
    expect(fail.action === 'fail' ? fail.message : '').toContain('not root');
  });

  it('covers the packages the lab needs', () => {
    expect([...new Set(REQUIREMENTS.map((r) => r.pkg))].sort()).toEqual(['chromium', 'curl', 'gupnp-tools', 'iproute2', 'nmap', 'postgresql', 'python3-zeroconf', 'util-linux']);
    expect(onPath('definitely-not-a-tool-xyz')).toBe(false);
    expect(onPath('sh', '/nonexistent:/bin')).toBe(true);
  });

  it('asks only the namespace tools for the demo: nmap, gupnp-tools, curl and python3-zeroconf are for the tests', () => {
    expect([...new Set(requirementsFor('demo').map((r) => r.pkg))].sort()).toEqual(['iproute2', 'util-linux']);
    expect(requirementsFor('test')).toEqual(REQUIREMENTS);
    const out = execFileSync(process.execPath, [new URL('../../scripts/system-deps.ts', import.meta.url).pathname, '--for', 'demo'], { encoding: 'utf8' });
    expect(out).toBe('system-deps: ok (unshare, setpriv, ip)\n');
  });

  it('prints one ok line on this machine', () => {
    const out = execFileSync(process.execPath, [new URL('../../scripts/system-deps.ts', import.meta.url).pathname], { encoding: 'utf8' });
    expect(out).toMatch(/^system-deps: ok \(unshare, setpriv, ip, nmap, gssdp-discover, curl, \/usr\/bin\/python3 with zeroconf, PostgreSQL 15\+ server, Chromium \(\/[^)]+\)\)\n$/u);
  });
});
