import type { Command } from 'commander';
import type { Problems } from './problems.ts';

/**
 * Exit codes are a public contract: scripts and schedulers depend on them (README, "Exit codes").
 * 0 done; 1 failure; 2 usage or configuration error (every problem listed at once); 3 a device
 * matched --fail-on; 4 the sweep is done but its report is only queued in the outbox (the
 * endpoint did not take it in time: it goes with the next run or `camsweep outbox send`);
 * 5 this Node.js cannot run camsweep (bin/camsweep.js checks before loading anything; the
 * systemd unit does not restart on 2 or 5).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, found: 3, queued: 4, runtime: 5 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  /** Bytes to stdout (a PDF); absent where only text can be written. */
  stdoutBytes?: (bytes: Buffer) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal. */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal (progress and pretty logs); default: same as isTty. */
  stderrIsTty?: boolean;
  /** Terminal width in columns, when stdout is a terminal. */
  columns?: number;
}

/** What a command module gets: where to write, how to set the exit code, where problems go. */
export interface CommandContext {
  io: CliIo;
  /** Sets the process exit code for this run (the last call wins). */
  exit(code: number): void;
  /** Usage problems found while parsing the flags; each command adds its own and throws once. */
  problems: Problems;
}

/**
 * One CLI command (or command group). Modules add their subcommands to the program and, in
 * their action handlers, import the module that does the work (so `--help`, `--version` and
 * every other command load only what they use). Errors the work throws are mapped to exit
 * codes by main(): UsageError -> 2, anything else -> 1.
 */
export interface CommandModule {
  register(program: Command, ctx: CommandContext): void;
}

/** Commander argument parser for a repeatable option: each occurrence is appended. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
