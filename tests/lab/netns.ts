import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { LabPlan, LabSpec, PlannedHost } from './lab-spec.ts';
import { hostLines, lanLines, namespaceAddLines, namespaceDeleteLines, planLab } from './lab-spec.ts';
import type { ExecOptions, ExecResult, LabProcess, SpawnOptions } from './lab-process.ts';
import { ipBatch, spawnInNamespace, waitReady } from './lab-process.ts';
import type { DeviceHit } from './simulator/hits.ts';
import { parseHits } from './simulator/hits.ts';
import { parseProfile, profilePath } from './simulator/profile.ts';
import type { DeviceProfile } from './simulator/profile.ts';
import { fillTemplate, peerNames } from './simulator/template.ts';

export type { LabSpec, LabDeviceSpec, LabAgentSpec, LabInterfaceSpec, LabBridgeSpec, LabRouterSpec, LabRouterInterfaceSpec } from './lab-spec.ts';
export type { ExecResult, ExecOptions, LabProcess } from './lab-process.ts';
export type { DeviceHit } from './simulator/hits.ts';
export type { DeviceProfile } from './simulator/profile.ts';
export { standardLab, standardDevice, STANDARD_AGENT, STANDARD_DEVICES, STANDARD_SUBNET, routedLab, ROUTED_DEVICES, ROUTED_FAR_SUBNET, ROUTED_ROUTER } from './standard-lab.ts';
export type { StandardDevice, StandardLabOptions } from './standard-lab.ts';

/**
 * The lab: a building network inside the test's private network namespace (see
 * ../shared/TESTBED.md). One `lan` namespace holds the bridges; every device and the agent get a
 * namespace of their own with a veth `eth0` on a bridge. Names carry a random suffix, so
 * several labs can coexist in one private namespace.
 */

const SIMULATOR_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'simulator', 'main.ts');

/**
 * Throws unless this process runs in a private network namespace made by
 * scripts/private-netns.sh: the marker variable is set and the namespace has only `lo`.
 * (/proc/self/net/dev, not /sys/class/net: sysfs shows the namespace of whoever mounted it,
 * which inside `unshare --net` without a fresh sysfs mount is still the host's.)
 */
export function assertPrivateNamespace(): void {
  if (process.env.CAMSWEEP_PRIVATE_NETNS !== '1') {
    throw new Error('refusing to run outside a private network namespace: not inside scripts/private-netns.sh (CAMSWEEP_PRIVATE_NETNS is not 1)');
  }
  const interfaces = readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '');
  const others = interfaces.filter((name) => name !== 'lo');
  if (others.length > 0) {
    throw new Error(`refusing to run outside a private network namespace: this network namespace has interfaces besides lo (${others.join(', ')})`);
  }
}

export interface LabDevice {
  name: string;
  ip: string;
  mac: string;
  namespace: string;
  /** The profile id. */
  profile: string;
}

export interface LabRouter {
  name: string;
  namespace: string;
  interfaces: Array<{ ifname: string; bridge: string; ip: string }>;
}

export interface StartDevicesOptions {
  /** Per device (default 15 s). */
  timeoutMs?: number;
  /** Start only these devices (default: all not yet running). */
  only?: string[];
}

export interface Lab {
  readonly id: string;
  /** Temporary directory: resolved profiles, hit logs, simulator logs (removed by stop()). */
  readonly dir: string;
  readonly spec: LabSpec;
  readonly agentNamespace: string;
  readonly lanNamespace: string;
  readonly devices: readonly LabDevice[];
  readonly routers: readonly LabRouter[];
  /** Milliseconds spent building namespaces and links. */
  readonly buildMs: number;
  device(name: string): LabDevice;
  /** Starts a simulator per device and waits until each prints READY; returns the wall time. */
  startDevices(options?: StartDevicesOptions): Promise<{ ms: number }>;
  /** Runs a command in the agent's namespace (default timeout 60 s). */
  execAgent(cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running command in the agent's namespace; stop() ends it. */
  spawnAgent(cmd: string[], options?: Omit<SpawnOptions, 'stdinPipe' | 'rawOutput'>): LabProcess;
  /** Runs a command in a device's namespace. */
  execDevice(name: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs a command in a router's namespace (tcpdump, ip ...). */
  execRouter(name: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** What the device's simulator received so far. */
  deviceHits(name: string): Promise<DeviceHit[]>;
  /** The simulator's stderr so far. */
  deviceLog(name: string): Promise<string>;
  /** Devices whose simulator is not running (crashed or never started). */
  stoppedDevices(): string[];
  /** Stops these devices' simulators (default: every device); a stopped device is gone, as if unplugged. */
  stopDevices(options?: { only?: string[]; graceMs?: number }): Promise<void>;
  /**
   * Gives a stopped device another profile (new firmware, another unit on the same IP and MAC);
   * the next startDevices() runs it with that profile.
   */
  setProfile(name: string, profile: string | DeviceProfile): void;
  /** Kills every process the lab started, deletes its namespaces and directory. Idempotent. */
  stop(): Promise<void>;
}

interface LiveLab {
  processes: Set<LabProcess>;
  plan: LabPlan;
  dir: string;
  keepDir: boolean;
}

/** Labs not yet stopped, for the exit hook (a crash that skips stop() leaves nothing running). */
const liveLabs = new Set<LiveLab>();
let exitHookInstalled = false;

function killSync(live: LiveLab): void {
  for (const p of live.processes) p.killNow();
  spawnSync('ip', ['-force', '-batch', '-'], { input: `${namespaceDeleteLines(live.plan).join('\n')}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
  if (!live.keepDir) rmSync(live.dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const live of liveLabs) killSync(live);
    liveLabs.clear();
  });
}

function labId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Loads the device's profile and fills {peer:...} with other lab devices' IPs. */
function resolveProfile(spec: LabSpec, device: LabSpec['devices'][number]): { json: unknown; id: string } {
  const raw: DeviceProfile =
    typeof device.profile === 'string'
      ? (JSON.parse(readFileSync(profilePath(device.profile), 'utf8')) as DeviceProfile)
      : device.profile;
  // Validate early (placeholders stay strings, so the unfilled profile validates too).
  const source = typeof device.profile === 'string' ? profilePath(device.profile) : `device ${device.name}`;
  const id = parseProfile(raw, source).id;
  const peers: Record<string, string> = {};
  for (const name of peerNames(raw)) {
    const peer = spec.devices.find(
      (d) => d.name === name || (typeof d.profile === 'string' ? d.profile === name : d.profile.id === name),
    );
    if (peer === undefined) throw new Error(`lab: device ${device.name} refers to {peer:${name}}, which is not in the lab`);
    peers[`peer:${name}`] = peer.ip;
  }
  return { json: fillTemplate(raw, peers, true), id };
}

/**
 * Turns IPv4 forwarding on in a router's namespace (`ip` cannot set a sysctl; /proc/sys/net is
 * the namespace of whoever opens it, so the write runs inside).
 */
async function enableForwarding(ns: string): Promise<void> {
  const r = await spawnInNamespace(ns, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], { timeoutMs: 10_000 }).exited;
  if (r.code !== 0) throw new Error(`lab: cannot turn forwarding on in ${ns}: ${r.stderr.trim()}`);
}

/**
 * Builds the lab's namespaces, bridges and links (about 50 ms for a dozen devices); refuses to
 * run outside a private network namespace (assertPrivateNamespace). Simulators start with
 * lab.startDevices().
 */
export async function createLab(spec: LabSpec): Promise<Lab> {
  assertPrivateNamespace();
  const started = performance.now();
  const id = labId();
  const plan = planLab(spec, id);
  const resolved = new Map(spec.devices.map((d) => [d.name, resolveProfile(spec, d)]));
  const dir = mkdtempSync(path.join(os.tmpdir(), `camsweep-lab-${id}-`));
  const live: LiveLab = { processes: new Set(), plan, dir, keepDir: process.env.CAMSWEEP_LAB_KEEP === '1' };
  installExitHook();
  liveLabs.add(live);
  try {
    await ipBatch(namespaceAddLines(plan));
    await ipBatch(lanLines(plan), plan.lanNs);
    await Promise.all(plan.hosts.map((h: PlannedHost) => ipBatch(hostLines(h), h.ns)));
    await Promise.all(plan.hosts.filter((h) => h.forwarding).map((h) => enableForwarding(h.ns)));
  } catch (err) {
    killSync(live);
    liveLabs.delete(live);
    throw err;
  }
  const buildMs = Math.round(performance.now() - started);

  const devices: LabDevice[] = spec.devices.map((d) => ({
    name: d.name,
    ip: d.ip,
    mac: d.mac.toLowerCase(),
    namespace: `csw-${id}-${d.name}`,
    profile: resolved.get(d.name)?.id ?? '',
  }));
  const routers: LabRouter[] = plan.hosts
    .filter((h) => h.role === 'router')
    .map((h) => ({
      name: h.name,
      namespace: h.ns,
      interfaces: h.links.map((l, k) => ({
        ifname: l.ifname,
        bridge: spec.routers?.find((r) => r.name === h.name)?.interfaces[k]?.bridge ?? '',
        ip: l.cidr.split('/')[0] ?? '',
      })),
    }));
  const simulators = new Map<string, LabProcess>();
  const hitsFile = (name: string): string => path.join(dir, `${name}.hits.jsonl`);
  const logFile = (name: string): string => path.join(dir, `${name}.log`);
  let stopping: Promise<void> | undefined;

  const device = (name: string): LabDevice => {
    const d = devices.find((x) => x.name === name);
    if (d === undefined) throw new Error(`lab: no device named ${name}`);
    return d;
  };

  const track = (proc: LabProcess): LabProcess => {
    live.processes.add(proc);
    void proc.exited.then(() => live.processes.delete(proc));
    return proc;
  };

  const startOne = async (d: LabDevice, timeoutMs: number): Promise<void> => {
    const profileFile = path.join(dir, `${d.name}.profile.json`);
    writeFileSync(profileFile, JSON.stringify(resolved.get(d.name)?.json ?? {}, null, 2));
    writeFileSync(hitsFile(d.name), '');
    const proc = track(
      spawnInNamespace(
        d.namespace,
        [process.execPath, SIMULATOR_MAIN, '--profile', profileFile, '--ip', d.ip, '--mac', d.mac, '--hits', hitsFile(d.name), '--exit-on-stdin-close'],
        { stdinPipe: true, rawOutput: true },
      ),
    );
    simulators.set(d.name, proc);
    const log = createWriteStream(logFile(d.name));
    proc.child.stderr?.pipe(log);
    await waitReady(proc, `lab: simulator ${d.name}`, timeoutMs, () => {
      try {
        return readFileSync(logFile(d.name), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    });
  };

  const lab: Lab = {
    id,
    dir,
    spec,
    agentNamespace: plan.agentNs,
    lanNamespace: plan.lanNs,
    devices,
    routers,
    buildMs,
    device,

    async startDevices(options = {}) {
      if (stopping !== undefined) throw new Error('lab: stopped');
      const t0 = performance.now();
      const wanted = (options.only ?? devices.map((d) => d.name)).map(device).filter((d) => simulators.get(d.name)?.running !== true);
      const results = await Promise.allSettled(wanted.map((d) => startOne(d, options.timeoutMs ?? 15_000)));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0) {
        await Promise.all(wanted.map((d) => simulators.get(d.name)?.stop(500)));
        throw new Error(failures.map((f) => (f.reason as Error).message).join('\n'));
      }
      return { ms: Math.round(performance.now() - t0) };
    },

    execAgent(cmd, options = {}) {
      if (stopping !== undefined) return Promise.reject(new Error('lab: stopped'));
      const proc = track(spawnInNamespace(plan.agentNs, cmd, { ...options, timeoutMs: options.timeoutMs ?? 60_000 }));
      return proc.exited;
    },

    spawnAgent(cmd, options = {}) {
      if (stopping !== undefined) throw new Error('lab: stopped');
      return track(spawnInNamespace(plan.agentNs, cmd, options));
    },

    execDevice(name, cmd, options = {}) {
      if (stopping !== undefined) return Promise.reject(new Error('lab: stopped'));
      const proc = track(spawnInNamespace(device(name).namespace, cmd, { ...options, timeoutMs: options.timeoutMs ?? 60_000 }));
      return proc.exited;
    },

    execRouter(name, cmd, options = {}) {
      if (stopping !== undefined) return Promise.reject(new Error('lab: stopped'));
      const router = routers.find((r) => r.name === name);
      if (router === undefined) return Promise.reject(new Error(`lab: no router named ${name}`));
      const proc = track(spawnInNamespace(router.namespace, cmd, { ...options, timeoutMs: options.timeoutMs ?? 60_000 }));
      return proc.exited;
    },

    async deviceHits(name) {
      device(name);
      try {
        return parseHits(await readFile(hitsFile(name), 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },

    async deviceLog(name) {
      device(name);
      try {
        return await readFile(logFile(name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw err;
      }
    },

    stoppedDevices() {
      return devices.filter((d) => simulators.get(d.name)?.running !== true).map((d) => d.name);
    },

    async stopDevices(options = {}) {
      const names = options.only ?? devices.map((d) => d.name);
      await Promise.all(names.map(device).map((d) => simulators.get(d.name)?.stop(options.graceMs ?? 1000)));
    },

    setProfile(name, profile) {
      const d = device(name);
      if (simulators.get(name)?.running === true) throw new Error(`lab: stop ${name} before giving it another profile`);
      const specDevice = spec.devices.find((x) => x.name === name);
      if (specDevice === undefined) throw new Error(`lab: no device named ${name}`);
      const r = resolveProfile(spec, { ...specDevice, profile });
      resolved.set(name, r);
      d.profile = r.id;
    },

    stop() {
      stopping ??= (async () => {
        try {
          await Promise.all([...live.processes].map((p) => p.stop(1000)));
          await ipBatch(namespaceDeleteLines(plan), undefined, { force: true });
        } finally {
          if (!live.keepDir) rmSync(dir, { recursive: true, force: true });
          liveLabs.delete(live);
        }
      })();
      return stopping;
    },
  };
  return lab;
}
