import { Command, CommanderError } from 'commander';
import { CamsweepError, UsageError, errorMessage } from '../domain/errors.ts';
import { VERSION } from '../version.ts';
import { COMMANDS } from './commands/index.ts';
import { EXIT, type CliIo } from './context.ts';

export { EXIT, type CliIo } from './context.ts';

const defaultIo = (): CliIo => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTty: Boolean(process.stdout.isTTY),
  env: process.env,
});

function buildProgram(io: CliIo, exit: (code: number) => void): Command {
  const program = new Command()
    .name('camsweep')
    .description('Finds cameras and other devices on the local network and tells who made them.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const command of COMMANDS) command.register(program, { io, exit });
  // Every subcommand: --version and --help too, errors as exceptions (mapped to exit codes below).
  for (const sub of program.commands) {
    sub.version(VERSION, '-V, --version', 'print the version and exit').helpOption('-h, --help', 'show help').exitOverride();
  }
  return program;
}

/** Runs the CLI; returns the exit code (0 done, 1 failure, 2 usage/config error, 3 found). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a "successful" CommanderError.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr(`camsweep: ${err.message}\n`);
      return EXIT.usage;
    }
    const suffix = err instanceof CamsweepError ? ` [${err.code}]` : '';
    io.stderr(`camsweep: ${errorMessage(err)}${suffix}\n`);
    return EXIT.failure;
  }
}
