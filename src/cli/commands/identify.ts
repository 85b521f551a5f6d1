import { type Command } from 'commander';
import type { CommandModule } from '../context.ts';
import { choiceOption } from '../flags.ts';
import type { IdentifyCliOptions } from '../run/identify.ts';

export type { IdentifyCliOptions } from '../run/identify.ts';

/**
 * The capture formats `--as` takes: CAPTURE_FORMATS of src/identify/detect.ts (a test checks),
 * written here so that `--help` does not load the decoders.
 */
export const CAPTURE_FORMATS = ['wsd', 'onvif', 'ssdp', 'upnp', 'mdns', 'sadp', 'dhip', 'dahua-v1', 'http', 'rtsp', 'tls', 'observations'] as const;

export const identifyCommand: CommandModule = {
  register(program: Command, ctx) {
    program
      .command('identify')
      .description('judge one device from captured answers (files, or - for stdin), offline: sends nothing')
      .argument('<file...>', 'captured answers of one device: WS-Discovery/ONVIF XML, SSDP headers, UPnP XML, mDNS packet, SADP XML, DHIP frame or JSON, HTTP/RTSP head, PEM certificate, or a JSON list of observations')
      .addOption(choiceOption(ctx.problems, '--as <format>', 'read every file as this format instead of detecting it', CAPTURE_FORMATS))
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format', ['json', 'table']).default(ctx.io.isTty ? 'table' : 'json'))
      .option('--ip <address>', "the device's address (default: one the captures give)")
      .option('--pack <id>', 'policy pack to apply (repeatable; default: the configured defaults)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--policy-file <file>', 'a custom policy pack file (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
      .option('--threshold <n>', 'confidence from which a maker counts as established (default 0.6)')
      .option('--as-of <date>', 'the day the verdict is for (default: today)')
      .addOption(choiceOption(ctx.problems, '--fail-on <status>', 'exit 3 when the device has this status (review also counts restricted)', ['restricted', 'review']))
      .action(async (files: string[], opts: IdentifyCliOptions) => {
        const { runIdentify } = await import('../run/identify.ts');
        ctx.exit(runIdentify(files, opts, ctx.io, undefined, ctx.problems));
      });
  },
};
