import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Keys whose values never reach log output, at any depth, compared case-insensitively with `_`/`-`
 * removed. Secrets (credentials, tokens) and caller PII (numbers, transcripts, digits) alike.
 */
export const redactedKeys: readonly string[] = [
  // secrets
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "jwt",
  "token",
  "accesstoken",
  "refreshtoken",
  "wsaccesstoken",
  "authorization",
  "proxyauthorization",
  "apikey",
  "key",
  "masterkey",
  "cryptokey",
  "inline",
  "databaseurl",
  "authpass",
  // caller PII
  "phonenumber",
  "caller",
  "callee",
  "callernumber",
  "calleenumber",
  "from",
  "to",
  "fromuri",
  "touri",
  "transcript",
  "text",
  "callertext",
  "agenttext",
  "digits",
  "digit",
  "dtmf",
  "messagebody",
  "ani",
  "dnis",
];

const redactedKeySet = new Set(redactedKeys);
const censor = "[redacted]";

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, "");
}

/** Returns a copy of `value` with every redacted key's value replaced; handles cycles. */
export function redact(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    return { type: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = redactedKeySet.has(normaliseKey(key)) ? censor : redact(v, seen);
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Pretty, human-readable output (default: when stdout is a terminal). */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

/**
 * The process logger: JSON lines (pretty in a terminal) with {@link redact} applied to every
 * logged object. Message text must never contain secrets or caller PII: put such values, if at
 * all, under a redacted key.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const base = {
    level: options.level ?? "info",
    base: { service: "ringagent" },
    formatters: {
      log: (object: Record<string, unknown>) => redact(object) as Record<string, unknown>,
    },
    serializers: { err: (e: unknown) => redact(e) },
  };
  if (options.destination !== undefined) return pino(base, options.destination);
  if (pretty) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } },
    });
  }
  return pino(base);
}

/** A logger that drops everything (tests and library defaults). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
