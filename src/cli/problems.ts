import { UsageError } from '../domain/errors.ts';

/**
 * Every usage and configuration problem of one run, from every source (flags, the
 * configuration file, the environment, the checks that need parsing: CIDRs, URLs,
 * interfaces, secret files), collected before anything is done and reported together (exit 2).
 * Nothing here stops at the first problem: each check adds what it finds and the command
 * throws once, with `throwIfAny`, when it has looked at everything it can.
 */
export class Problems {
  readonly #list: string[] = [];

  get list(): readonly string[] {
    return this.#list;
  }

  get any(): boolean {
    return this.#list.length > 0;
  }

  /** Adds problems; one already listed (the same check reached two ways) is listed once. */
  add(...problems: readonly string[]): void {
    for (const p of problems) if (!this.#list.includes(p)) this.#list.push(p);
  }

  /** Runs `fn`; a UsageError it throws becomes problems and undefined is returned. Other errors pass. */
  check<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.add(...err.problems);
      return undefined;
    }
  }

  /** Throws one UsageError listing every problem, when there is any. */
  throwIfAny(): void {
    if (this.#list.length > 0) throw problemsError(this.#list);
  }
}

/** One UsageError for a list of problems: the problem itself when alone, else a numbered header and one line each. */
export function problemsError(problems: readonly string[]): UsageError {
  const indent = (p: string): string => p.replaceAll('\n', '\n    ');
  const message = problems.length === 1 ? problems[0]! : `${problems.length} problems:\n${problems.map((p) => `  - ${indent(p)}`).join('\n')}`;
  return new UsageError(message, { problems });
}
