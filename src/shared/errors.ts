/**
 * Every error the product raises on purpose carries a stable `code` (never match on message text)
 * and whether retrying the same operation may succeed.
 */
export class RingagentError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Raised when the configuration cannot be used; `problems` holds one line per field. */
export class ConfigError extends RingagentError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("config_invalid", `invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/** Best-effort description of an unknown thrown value, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
