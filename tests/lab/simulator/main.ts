import { readFileSync } from 'node:fs';
import { createLogger } from '../../../src/util/log.ts';
import { parseSimulatorArgs } from './args.ts';
import { parseProfile, profilePath } from './profile.ts';
import { deviceVars, fillTemplate } from './template.ts';
import { fileHitRecorder } from './hits.ts';
import { startDevice } from './device.ts';

/**
 * One simulated device, run inside the device's network namespace:
 *   ip netns exec <ns> node tests/lab/simulator/main.ts --profile <name> --ip <ip> --mac <mac>
 * Prints `READY {...}` on stdout once every socket is open; logs go to stderr.
 */

const log = createLogger({ level: 'info' }).child({ module: 'simulator' });

async function main(): Promise<void> {
  const args = parseSimulatorArgs(process.argv.slice(2));
  const file = profilePath(args.profile);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const profile = parseProfile(fillTemplate(raw, deviceVars(args.ip, args.mac)), file);
  const onError = (where: string, err: unknown): void => {
    log.error({ where, err }, 'simulator error');
  };
  const hits = fileHitRecorder(args.hits, (err) => onError('hits', err));
  const device = await startDevice({
    profile,
    ip: args.ip,
    mac: args.mac,
    hits,
    onError,
    // One line per announcement or goodbye, with the time: the lab's announcement-to-report timings start here.
    announced: (proto, kind) => log.info({ announced: { proto, kind, t: Date.now() } }, 'announced'),
  });

  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    const hardExit = setTimeout(() => process.exit(0), 1000);
    hardExit.unref();
    device.close().then(
      () => process.exit(0),
      (err: unknown) => {
        onError('close', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (args.exitOnStdinClose) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('close', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
  // A bug in a handler must not take the device off the network mid-test: log it and go on.
  process.on('uncaughtException', (err) => onError('uncaught', err));
  process.on('unhandledRejection', (err) => onError('unhandled rejection', err));

  const ports = Object.fromEntries(device.services.map((s) => [s.name, s.ports]));
  process.stdout.write(`READY ${JSON.stringify({ profile: profile.id, ip: args.ip, mac: args.mac, ports })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
