import { inspect } from 'node:util';

/**
 * A credential (bearer token, HMAC secret, private key). Its value never reaches a log line,
 * JSON output or `util.inspect`, whatever object it ends up nested in: only `reveal()` gives
 * it out, at the one place that sends or checks it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
