import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { RATE_BOUNDS } from '../../../src/cli/commands/sweep.ts';
import { MAX_PACKETS_PER_SECOND, MIN_PACKETS_PER_SECOND } from '../../../src/discovery/unicast/probes.ts';
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

describe('one validation pass: every problem at once, exit 2', () => {
  it('lists every bad flag of a sweep, not only the first', async () => {
    const s = io();
    expect(await main(['sweep', '--target', '10.0.0.300/24', '--exclude', 'foo', '--rate', '0', '--timeout', '999', '--mx', '9', '--format', 'xml'], s)).toBe(2);
    expect(s.err).toMatch(/^camsweep: 6 problems:\n/u);
    for (const p of ['--rate must be', '--timeout must be', '--mx must be', '--format must be one of table, json, csv (got xml)', '--target: not an IPv4 address or CIDR range: 10.0.0.300/24', '--exclude: not an IPv4 address or CIDR range: foo']) {
      expect(s.err).toContain(p);
    }
    expect(s.out).toBe('');
  });

  it('adds the file, the environment, the interfaces and the report settings to the same list', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'camsweep-cli-'));
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, 'sweep:\n  timeout: 999\ncredentials:\n  - { match: 10.1.2.0/33, username: a, password: b }\n');
    const s = captureIo({ CAMSWEEP_REPROT_ENDPOINT: 'https://c/v1' });
    const code = await main(['sweep', '--config', config, '--interface', 'nosuch0', '--rate', '0', '--report-to', 'ftp://x', '--target-file', path.join(dir, 'missing.txt')], s);
    expect(code).toBe(2);
    for (const p of [
      '--rate must be',
      `${config}: sweep.timeout`,
      `${config}: credentials.0.match: not an IPv4 address or CIDR range: 10.1.2.0/33`,
      '$CAMSWEEP_REPROT_ENDPOINT: not a camsweep variable (did you mean $CAMSWEEP_REPORT_ENDPOINT?)',
      'no IPv4 interface named nosuch0',
      '--report-to: ',
      `--target-file: cannot read ${path.join(dir, 'missing.txt')}`,
    ]) {
      expect(s.err).toContain(p);
    }
    expect(s.err).toMatch(/^camsweep: 7 problems:/u);
  });

  it('reads --target-file and --exclude-file line by line, naming the bad lines', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'camsweep-cli-'));
    const targets = path.join(dir, 'targets.txt');
    writeFileSync(targets, '# routed cameras\n10.20.0.0/30\n10.21.0.1, 10.21.0.2  # two more\n\nnot-a-range\n');
    const s = io();
    expect(await main(['sweep', '--target-file', targets, '--exclude-file', targets, '--interface', 'nosuch0'], s)).toBe(2);
    expect(s.err).toContain(`--target-file ${targets}:5: not an IPv4 address or CIDR range: not-a-range`);
    expect(s.err).toContain(`--exclude-file ${targets}:5: not an IPv4 address or CIDR range: not-a-range`);
    expect(s.err).not.toContain('10.21.0.1');
  });

  it('keeps the bad values found before commander stops at an unknown option', async () => {
    const s = io();
    expect(await main(['sweep', '--rate', '0', '--bogus'], s)).toBe(2);
    expect(s.err).toContain('--rate must be');
    expect(s.err).toContain("unknown option '--bogus'");
  });

  it('uses the same rate bounds as the unicast prober', () => {
    expect(RATE_BOUNDS).toEqual({ min: MIN_PACKETS_PER_SECOND, max: MAX_PACKETS_PER_SECOND });
  });
});

describe('sweep --output FILE', () => {
  it('takes the format from --format or the extension, and checks the directory before anything is sent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'camsweep-out-'));
    const s = io();
    expect(await main(['sweep', '--output', path.join(dir, 'sweep.xml'), '--interface', 'nosuch0'], s)).toBe(2);
    expect(s.err).toContain('cannot tell the format from the extension');
    const t = io();
    expect(await main(['sweep', '--output', path.join(dir, 'missing', 'sweep.json'), '--interface', 'nosuch0'], t)).toBe(2);
    expect(t.err).toContain(`no directory ${path.join(dir, 'missing')}`);
    expect(t.err).not.toContain('cannot tell the format');
  });

  it('replaces the file whole, in the format asked', async () => {
    const { outputTarget, writeOutput } = await import('../../../src/cli/run/output-file.ts');
    const { Problems } = await import('../../../src/cli/problems.ts');
    const { PLAIN_VIEW } = await import('../../../src/output/view.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'camsweep-out-'));
    const problems = new Problems();
    const target = outputTarget(path.join(dir, 'sweep.csv'), undefined, problems);
    expect([target?.format, problems.list]).toEqual(['csv', []]);
    const result = { schema: 'camsweep.sweep/v1', id: 'x', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', interfaces: [], devices: [], errors: [] } as const;
    writeFileSync(path.join(dir, 'sweep.csv'), 'old');
    const { formatChunks } = await import('../../../src/output/format.ts');
    writeOutput(target!, formatChunks({ ...result, interfaces: [], devices: [], errors: [] }, target!.format, PLAIN_VIEW));
    expect(readFileSync(path.join(dir, 'sweep.csv'), 'utf8')).toMatch(/^ip,mac,/u);
    expect(outputTarget(path.join(dir, 'x.txt'), 'json', problems)?.format).toBe('json');
  });
});

describe('camsweep identify, loaded lazily', () => {
  it('offers the capture formats the detector knows', async () => {
    const { CAPTURE_FORMATS: offered } = await import('../../../src/cli/commands/identify.ts');
    const { CAPTURE_FORMATS: known } = await import('../../../src/identify/detect.ts');
    expect(offered).toEqual(known);
  });

  it('reports its bad flags with the rest, exit 2', async () => {
    const s = io();
    expect(await main(['identify', '--as', 'gopher', '--threshold', '7', 'x.xml'], s)).toBe(2);
    expect(s.err).toContain('--as must be one of');
    expect(s.err).toContain('--threshold 7');
  });
});
