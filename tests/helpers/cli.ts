import type { CliIo } from '../../src/cli/main.ts';

/** CliIo for tests: everything written to stdout and stderr is captured, in order. */
export interface CapturedIo extends CliIo {
  /** All stdout text so far. */
  out: string;
  /** All stderr text so far. */
  err: string;
}

/** A CliIo that captures both streams; `env` as given (default: empty); a terminal only if asked. */
export function captureIo(env: NodeJS.ProcessEnv = {}, isTty = false): CapturedIo {
  const sink: CapturedIo = {
    out: '',
    err: '',
    isTty,
    env,
    stdout: (t: string) => {
      sink.out += t;
    },
    stderr: (t: string) => {
      sink.err += t;
    },
  };
  return sink;
}
