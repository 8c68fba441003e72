export { AbortedError, Deferreds, throwIfAborted } from "./abort.js";
export { type Clock, sleep, systemClock, type Timer } from "./clock.js";
export { ConfigError, describeError, RingagentError } from "./errors.js";
export { FakeClock } from "./fake-clock.js";
export { findUpwards } from "./find-upwards.js";
export { newId, randomToken } from "./ids.js";
export {
  createLogger,
  type Logger,
  type LoggerOptions,
  redact,
  redactedKeys,
  silentLogger,
} from "./logging.js";
