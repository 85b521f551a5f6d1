/**
 * Errors with stable codes (like undici's UND_ERR_*): logs, the sweep's `errors` array and
 * scripts key on `code`; `message` is for people and may change.
 */
export class CamsweepError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CamsweepError';
    this.code = code;
  }
}

/** Usage or configuration problems: the CLI exits 2. */
export class UsageError extends CamsweepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
    this.name = 'UsageError';
  }
}

export function errorCode(err: unknown, fallback = 'INTERNAL'): string {
  if (err instanceof CamsweepError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return fallback;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
