import { parseArgs } from 'node:util';
import { isIPv4 } from 'node:net';
import { normaliseMacInput } from './template.ts';

export interface SimulatorArgs {
  /** Profile name (tests/lab/profiles/<name>.json) or a path to a JSON file. */
  profile: string;
  ip: string;
  mac: string;
  /** Where to append one JSON line per request received. */
  hits: string | undefined;
  /** Exit when stdin closes (the lab keeps a pipe open, so a dead parent ends the device). */
  exitOnStdinClose: boolean;
}

export const USAGE =
  'usage: node tests/lab/simulator/main.ts --profile <name|file.json> --ip <ipv4> --mac <aa:bb:cc:dd:ee:ff> [--hits <file>] [--exit-on-stdin-close]';

export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string' },
      ip: { type: 'string' },
      mac: { type: 'string' },
      hits: { type: 'string' },
      'exit-on-stdin-close': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const { profile, ip, mac } = values;
  if (profile === undefined || ip === undefined || mac === undefined) throw new Error(USAGE);
  if (!isIPv4(ip)) throw new Error(`--ip is not an IPv4 address: ${ip}`);
  return {
    profile,
    ip,
    mac: normaliseMacInput(mac),
    hits: values.hits,
    exitOnStdinClose: values['exit-on-stdin-close'],
  };
}
