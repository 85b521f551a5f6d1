/**
 * A crowd on a lab's bridge: one extra namespace (`csw-<lab id>-crowd`) whose eth0 is a veth on
 * the lab's `lan` bridge, with one macvlan per device (crowd-plan.ts) and ONE responder process
 * for all of them (crowd-responder.ts), instead of a namespace and a simulator per device
 * (~100 MB each), so a lab of 1000 devices fits on a laptop. Must run inside
 * scripts/private-netns.sh (createLab checks).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab, LabProcess } from '../netns.ts';
import { ipBatch, spawnInNamespace, waitReady } from '../lab-process.ts';
import { cpuSeconds } from '../proc-scan.ts';
import { crowdDevices, crowdLines, type CrowdDevice } from './crowd-plan.ts';

const RESPONDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crowd-responder.ts');

export interface Crowd {
  namespace: string;
  devices: readonly CrowdDevice[];
  /** Milliseconds to build the namespace and interfaces, and to get the responder ready. */
  buildMs: number;
  readyMs: number;
  /**
   * The responder's CPU time so far (user + system, ms, from /proc at the kernel's clock-tick
   * resolution; `ip netns exec` and setpriv exec, so the pid is the responder's): the crowd
   * shares the machine with the agent, so a bench says what it took.
   */
  cpuMs(): number;
  /** Stops the responder (its counters come back on stderr) and deletes the namespace. */
  stop(): Promise<string>;
}


/**
 * ARP as on N separate hosts: answer only for an address on the receiving interface
 * (arp_ignore=1), and ask with the outgoing interface's own address (arp_announce=2), or the
 * agent's neighbour table would map every address to one macvlan's MAC.
 */
const SYSCTLS = 'for f in all default; do echo 1 > /proc/sys/net/ipv4/conf/$f/arp_ignore; echo 2 > /proc/sys/net/ipv4/conf/$f/arp_announce; echo 0 > /proc/sys/net/ipv4/conf/$f/rp_filter; done';

/** The agent's eth0 address and MAC, for the crowd's permanent neighbour entries. */
async function agentAddress(lab: Lab): Promise<{ ip: string; mac: string }> {
  const r = await lab.execAgent(['ip', '-j', 'addr', 'show', 'dev', 'eth0'], { timeoutMs: 10_000 });
  const [link] = JSON.parse(r.stdout) as Array<{ address?: string; addr_info?: Array<{ family?: string; local?: string }> }>;
  const ip = link?.addr_info?.find((a) => a.family === 'inet')?.local;
  const mac = link?.address;
  if (ip === undefined || mac === undefined) throw new Error(`crowd: cannot read the agent's eth0 (${r.stdout} ${r.stderr})`);
  return { ip, mac };
}

/** Adds N devices from `first` (inside the lab's subnet, of `prefix` bits) to the lab's lan bridge. */
export interface CrowdOptions {
  /** Each HTTP response waits 1/5 of this to all of it (embedded web servers are slow); default 0. */
  httpDelayMs?: number;
}

export async function createCrowd(lab: Lab, n: number, first: string, prefix: number, options: CrowdOptions = {}): Promise<Crowd> {
  const devices = crowdDevices(n, first);
  const namespace = `csw-${lab.id}-crowd`;
  const t0 = performance.now();
  await ipBatch([`netns add ${namespace}`]);
  let proc: LabProcess | undefined;
  const remove = async (): Promise<void> => {
    await ipBatch([`netns del ${namespace}`], undefined, { force: true });
  };
  try {
    const sysctl = await spawnInNamespace(namespace, ['sh', '-c', SYSCTLS], { timeoutMs: 10_000 }).exited;
    if (sysctl.code !== 0) throw new Error(`crowd: sysctl failed: ${sysctl.stderr}`);
    await ipBatch([`link add vcrowd type veth peer name eth0 netns ${namespace}`, 'link set vcrowd master br0 up'], lab.lanNamespace);
    await ipBatch(crowdLines(devices, prefix, await agentAddress(lab)), namespace);
    const buildMs = Math.round(performance.now() - t0);
    const t1 = performance.now();
    proc = spawnInNamespace(namespace, [process.execPath, RESPONDER, '--n', String(n), '--first', first, '--prefix', String(prefix), '--http-delay-ms', String(options.httpDelayMs ?? 0)], { stdinPipe: true });
    const running = proc;
    await waitReady(running, 'crowd: responder', 60_000, () => running.stderr());
    const readyMs = Math.round(performance.now() - t1);
    return {
      namespace,
      devices,
      buildMs,
      readyMs,
      cpuMs: () => cpuSeconds(running.pid) * 1000,
      async stop() {
        const r = await running.stop(2000);
        await remove();
        return r.stderr.trim();
      },
    };
  } catch (err) {
    await proc?.stop(500);
    await remove();
    throw err;
  }
}
