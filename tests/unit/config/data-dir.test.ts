import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from '../../../src/config/data-dir.ts';

const HOST = { hostname: 'agent', uid: 1000, homedir: '/home/cam' };

describe('defaultDataDir', () => {
  it('default data dir: $CAMSWEEP_DATA_DIR, /var/lib/camsweep for root, else $XDG_STATE_HOME or ~/.local/state', () => {
    expect(defaultDataDir({ CAMSWEEP_DATA_DIR: '/x' }, HOST)).toBe('/x');
    expect(defaultDataDir({}, { ...HOST, uid: 0 })).toBe('/var/lib/camsweep');
    expect(defaultDataDir({ XDG_STATE_HOME: '/state' }, HOST)).toBe('/state/camsweep');
    expect(defaultDataDir({ XDG_STATE_HOME: 'relative' }, HOST)).toBe('/home/cam/.local/state/camsweep');
  });
});

describe('resolveDataDir', () => {
  const host = { hostname: 'agent', uid: 1000, homedir: '/home/cam' };
  it('takes --data-dir, else the config dataDir, else the outbox default', () => {
    expect(resolveDataDir({ flag: '/srv/a', configured: '/srv/b', env: {}, host })).toBe('/srv/a');
    expect(resolveDataDir({ configured: '/srv/b', env: {}, host })).toBe('/srv/b');
    expect(resolveDataDir({ env: { CAMSWEEP_DATA_DIR: '/srv/c' }, host })).toBe('/srv/c');
    expect(resolveDataDir({ env: {}, host })).toBe('/home/cam/.local/state/camsweep');
    expect(resolveDataDir({ env: {}, host: { ...host, uid: 0 } })).toBe('/var/lib/camsweep');
    expect(resolveDataDir({ flag: 'rel', env: {}, host })).toBe(path.resolve('rel'));
  });
});
