/**
 * A flooder on a lab's bridge: one extra namespace (`csw-<lab id>-flood`) whose eth0 is a veth
 * on the lab's `lan` bridge with a few addresses, running flood-responder.ts. Must run inside
 * scripts/private-netns.sh (createLab checks).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabProcess } from '../netns.ts';
import { ipBatch, spawnInNamespace, waitReady } from '../lab-process.ts';

const RESPONDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'flood-responder.ts');

export interface FloodOptions {
  /** The flooder's addresses, inside the lab's subnet. */
  ips: readonly string[];
  prefix: number;
  /** Per probe or search heard: junk datagrams and valid-looking replies. */
  junk: number;
  valid: number;
}

export interface FloodCounters {
  probes: number;
  searches: number;
  queued: number;
  sent: number;
  sendErrors: number;
  bytes: number;
  http: number;
}

export interface Flood<C = FloodCounters> {
  namespace: string;
  /** Stops the flooder and deletes the namespace; returns its counters. */
  stop(): Promise<C>;
}

function readCounters<C>(stderr: string): C {
  const line = stderr.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as C;
}

export async function createFlood(lab: Lab, options: FloodOptions): Promise<Flood> {
  const argv = [process.execPath, RESPONDER, '--ips', options.ips.join(','), '--junk', String(options.junk), '--valid', String(options.valid)];
  return startFlooder(lab, { ips: options.ips, prefix: options.prefix, argv });
}

/**
 * Any flooder on the lab's bridge: `argv` runs in the flood namespace, whose eth0 holds `ips`;
 * it prints READY when ready, exits when stdin closes, and prints its counters as one JSON line
 * on stderr when stopped.
 */
export async function startFlooder<C = FloodCounters>(lab: Lab, options: { ips: readonly string[]; prefix: number; argv: string[] }): Promise<Flood<C>> {
  const namespace = `csw-${lab.id}-flood`;
  await ipBatch([`netns add ${namespace}`]);
  const remove = async (): Promise<void> => {
    await ipBatch([`netns del ${namespace}`], undefined, { force: true });
  };
  let proc: LabProcess | undefined;
  try {
    await ipBatch([`link add vflood type veth peer name eth0 netns ${namespace}`, 'link set vflood master br0 up'], lab.lanNamespace);
    await ipBatch(
      ['link set lo up', 'link set eth0 address 02:66:00:00:02:00', ...options.ips.map((ip) => `addr add ${ip}/${options.prefix} dev eth0`), 'link set eth0 up', 'route add 224.0.0.0/4 dev eth0'],
      namespace,
    );
    proc = spawnInNamespace(namespace, options.argv, { stdinPipe: true });
    const running = proc;
    await waitReady(running, 'flood: responder', 30_000, () => running.stderr());
    return {
      namespace,
      async stop() {
        const r = await running.stop(2000);
        await remove();
        return readCounters<C>(r.stderr);
      },
    };
  } catch (err) {
    await proc?.stop(500);
    await remove();
    throw err;
  }
}
