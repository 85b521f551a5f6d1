import { Command, CommanderError } from 'commander';
import { CamsweepError, UsageError, errorMessage } from '../domain/errors.ts';
import { VERSION } from '../version.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT, type CliIo } from './context.ts';
import { Problems, problemsError } from './problems.ts';

export { EXIT, type CliIo } from './context.ts';

/*
 * Start-up: this module, commander and the command definitions are all `--help` and
 * `--version` load. Each command imports the module that does its work (src/cli/run/*) in its
 * action, so a command loads only what it uses (docs/decisions/startup.md).
 */

const defaultIo = (): CliIo => ({
  stdout: (t) => void process.stdout.write(t),
  stdoutBytes: (b) => void process.stdout.write(b),
  stderr: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
  stderrIsTty: Boolean(process.stderr.isTTY),
  ...(process.stdout.isTTY && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
  env: process.env,
});

/** Commander's error text ("error: unknown option '--x'\n(Did you mean --y?)") as one problem line. */
const commanderProblem = (text: string): string =>
  text
    .trim()
    .replace(/^error: /u, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');

function buildProgram(io: CliIo, exit: (code: number) => void, problems: Problems): Command {
  const program = new Command()
    .name('camsweep')
    .description('Finds cameras and other devices on the local network and tells who made them.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    // Commander's own errors (unknown option or command, missing argument) join the list of
    // problems, reported with the bad values the option parsers found before it stopped.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text) => problems.add(commanderProblem(text)) })
    .exitOverride();
  for (const command of COMMANDS) command.register(program, { io, exit, problems });
  // Every subcommand: --version and --help too, errors as exceptions (mapped to exit codes below).
  for (const sub of program.commands) {
    sub.version(VERSION, '-V, --version', 'print the version and exit').helpOption('-h, --help', 'show help').exitOverride();
  }
  return program;
}

/** Runs the CLI; returns the exit code (context.ts: 0 done, 1 failure, 2 usage/config error, 3 found, 4 report queued). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code: number = EXIT.ok;
  const problems = new Problems();
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    problems,
  );
  const usage = (list: readonly string[]): number => {
    io.stderr(`camsweep: ${problemsError(list).message}\n`);
    return EXIT.usage;
  };
  try {
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    // A command reports its problems itself; any left over must not pass silently.
    if (problems.any) return usage(problems.list);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a "successful" CommanderError; help shown for a
      // missing subcommand has been written already.
      if (err.exitCode === 0) return EXIT.ok;
      return problems.any ? usage(problems.list) : EXIT.usage;
    }
    if (err instanceof UsageError) return usage(problems.any ? [...problems.list, ...err.problems.filter((p) => !problems.list.includes(p))] : err.problems);
    const suffix = err instanceof CamsweepError ? ` [${err.code}]` : '';
    io.stderr(`camsweep: ${errorMessage(err)}${suffix}\n`);
    return EXIT.failure;
  }
}
