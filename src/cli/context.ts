import type { Command } from 'commander';

/** Exit codes are a public contract: scripts and schedulers depend on them. */
export const EXIT = { ok: 0, failure: 1, usage: 2, found: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

/** What a command module gets: where to write, and how to set the exit code. */
export interface CommandContext {
  io: CliIo;
  /** Sets the process exit code for this run (the last call wins). */
  exit(code: number): void;
}

/**
 * One CLI command (or command group). Modules add their subcommands to the program and do
 * their work in action handlers; errors they throw are mapped to exit codes by main():
 * UsageError -> 2, anything else -> 1.
 */
export interface CommandModule {
  register(program: Command, ctx: CommandContext): void;
}

/** Commander argument parser for a repeatable option: each occurrence is appended. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
