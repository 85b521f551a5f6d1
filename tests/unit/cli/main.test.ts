import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { VERSION } from '../../../src/version.ts';
import { captureIo, type CapturedIo } from '../../helpers/cli.ts';

const io = (isTty = false): CapturedIo => captureIo({}, isTty);

describe('camsweep CLI', () => {
  it('--help lists the sweep command and exits 0', async () => {
    const s = io();
    expect(await main(['--help'], s)).toBe(0);
    expect(s.out).toMatch(/Usage: camsweep/u);
    expect(s.out).toMatch(/sweep/u);
  });

  it('sweep --help lists every documented option', async () => {
    const s = io();
    expect(await main(['sweep', '--help'], s)).toBe(0);
    for (const flag of ['--interface', '--timeout', '--format', '--config', '--quiet', '--version', '--help', '--fail-on', '--mx', '--full-window', '--idle']) {
      expect(s.out).toContain(flag);
    }
  });

  it('--version prints the package version, at top level and on sweep', async () => {
    for (const argv of [['--version'], ['sweep', '--version']]) {
      const s = io();
      expect(await main(argv, s)).toBe(0);
      expect(s.out.trim()).toBe(VERSION);
    }
  });

  it.each([
    [['sweep', '--format', 'xml']],
    [['sweep', '--timeout', 'soon']],
    [['sweep', '--timeout', '0']],
    [['sweep', '--fail-on', 'maybe']],
    [['sweep', '--mx', '9']],
    [['sweep', '--idle', '0.01']],
    [['sweep', '--idle', 'soon']],
    [['sweep', '--bogus']],
    [['frobnicate']],
  ])('%j is a usage error: exit 2', async (argv) => {
    const s = io();
    expect(await main(argv, s)).toBe(2);
    expect(s.err).not.toBe('');
  });

  it('an unknown interface is a usage error naming it', async () => {
    const s = io();
    expect(await main(['sweep', '--interface', 'nosuch0', '--timeout', '0.5'], s)).toBe(2);
    expect(s.err).toContain('nosuch0');
  });

  it('a bad config file is a usage error listing every problem', async () => {
    const s = io();
    expect(await main(['sweep', '--config', '/nonexistent/camsweep.yaml'], s)).toBe(2);
    expect(s.err).toContain('/nonexistent/camsweep.yaml');
  });
});

describe('camsweep sweep with nothing to probe from', () => {
  it('exits 1 when no up, non-loopback IPv4 interface exists (this private namespace has only lo)', async () => {
    expect(process.env.CAMSWEEP_PRIVATE_NETNS).toBe('1');
    const s = io();
    expect(await main(['sweep', '--timeout', '0.5', '--quiet'], s)).toBe(1);
    expect(s.err).toMatch(/no up, non-loopback interface/u);
    expect(s.out).toBe('');
  });
});
