import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binNodeFlags } from '../../helpers/node-flags.ts';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('the Node flags of bin/camsweep.js', () => {
  it('are on the line sh runs (a shebang cannot pass them portably), and cap the young generation', () => {
    expect(read('bin/camsweep.js').split('\n').slice(0, 2)).toEqual(['#!/bin/sh', `':' //; exec node ${binNodeFlags().join(' ')} "$0" "$@"`]);
    expect(binNodeFlags()).toContain('--max-semi-space-size=4');
  });

  it('start Node with them when the bin is run as a program, and the same file still runs under node', () => {
    const probe = `${mkdtempSync(join(tmpdir(), 'camsweep-bin-'))}/probe.js`;
    // The bin's two first lines above a body that prints how Node was started.
    writeFileSync(probe, `${read('bin/camsweep.js').split('\n').slice(0, 2).join('\n')}\nprocess.stdout.write(JSON.stringify(process.execArgv));\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    expect(JSON.parse(execFileSync(probe, [], { env, encoding: 'utf8' }))).toEqual(binNodeFlags());
    expect(JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' }))).toEqual([]);
  });

  it('are passed by every shipped way of running it that does not go through the first line', () => {
    const flags = binNodeFlags();
    const docker = read('Dockerfile');
    const nodeArgs = (list: string): string[] => JSON.parse(list) as string[];
    const entrypoint = nodeArgs(/^ENTRYPOINT (\[.*\])$/mu.exec(docker)?.[1] ?? '[]');
    const health = nodeArgs(/^\s+CMD (\["node".*\])$/mu.exec(docker)?.[1] ?? '[]');
    for (const argv of [entrypoint, health]) {
      const node = argv.indexOf('node');
      expect(argv.slice(node + 1, node + 1 + flags.length), JSON.stringify(argv)).toEqual(flags);
      expect(argv[node + 1 + flags.length]).toBe('/app/bin/camsweep.js');
    }
    const exec = /^ExecStart=(.*)$/mu.exec(read('deploy/systemd/camsweep.service'))?.[1] ?? '';
    expect(exec.startsWith(`/usr/bin/node ${flags.join(' ')} /opt/camsweep/bin/camsweep.js `)).toBe(true);
  });
});

describe('bin/camsweep.js on a Node older than 24', () => {
  const bin = new URL('../../../bin/camsweep.js', import.meta.url).pathname;
  const run = (node: string, args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(node, [...args, bin, '--version'], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };

  it('says what it needs and exits 5, the code the systemd unit does not restart on', () => {
    const r = run(process.execPath, ['--import', 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})']);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/^camsweep needs Node\.js 24 or later/u);
    const unit = read('deploy/systemd/camsweep.service');
    expect(/^RestartPreventExitStatus=(.*)$/mu.exec(unit)?.[1]?.split(/\s+/u)).toEqual(expect.arrayContaining(['2', '5']));
  });

  it.runIf(existsSync('/usr/bin/node') && Number(execFileSync('/usr/bin/node', ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' })) < 24)(
    'does the same under the real older Node of this machine',
    () => {
      const r = run('/usr/bin/node', []);
      expect(r.status).toBe(5);
      expect(r.stderr).toMatch(/^camsweep needs Node\.js 24 or later \(this is v\d+/u);
    },
  );
});

describe('bin/camsweep.js --version', () => {
  it('prints what the CLI prints, without loading it (alone: -V and --version; anything more goes to the CLI)', async () => {
    const { VERSION } = await import('../../../src/version.ts');
    const bin = new URL('../../../bin/camsweep.js', import.meta.url).pathname;
    for (const argv of [['--version'], ['-V'], ['sweep', '--version']]) {
      const run = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
      expect({ argv, code: run.status, out: run.stdout }).toEqual({ argv, code: 0, out: `${VERSION}\n` });
    }
  });
});
