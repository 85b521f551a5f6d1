import type { CliIo } from '../../src/cli/main.ts';

/** CliIo for tests: everything written to stdout and stderr is captured, in order. */
export interface CapturedIo extends CliIo {
  /** All stdout text so far. */
  out: string;
  /** All stderr text so far. */
  err: string;
}

/** A CliIo that captures both streams; never a terminal; `env` as given (default: empty). */
export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const sink: CapturedIo = {
    out: '',
    err: '',
    isTty: false,
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
