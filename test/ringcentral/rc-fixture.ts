/** Shared setup for RingCentral integration tests: an emulator on 127.0.0.1 and clients for it. */
import { type EmulatorOptions, RingCentralEmulator } from "../../src/emulator/index.js";
import {
  RingCentralLine,
  type RingCentralLineOptions,
  RingCentralRestClient,
} from "../../src/ringcentral/index.js";

/** A syntactically valid JWT credential (the emulator checks shape and `exp`, never the signature). */
export function makeJwt(claims: Record<string, unknown> = {}): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part({ aud: "https://platform.ringcentral.com", ...claims })}.c2lnbmF0dXJl`;
}

export const fastRetry = {
  baseDelayMs: 20,
  maxDelayMs: 100,
  defaultRetryAfterMs: 500,
  requestTimeoutMs: 5000,
} as const;

const openEmulators: RingCentralEmulator[] = [];
const openClosers: (() => Promise<void>)[] = [];

/** Starts an emulator that {@link cleanup} stops. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RingCentralEmulator> {
  const emulator = await RingCentralEmulator.start(options);
  openEmulators.push(emulator);
  return emulator;
}

/** Closes every client and line made here (their refresh timers would keep the process alive), then the emulators. */
export async function cleanup(): Promise<void> {
  for (const close of openClosers.splice(0)) await close().catch(() => undefined);
  for (const emulator of openEmulators.splice(0)) await emulator.stop();
}

export function clientFor(
  emulator: RingCentralEmulator,
  overrides: Partial<ConstructorParameters<typeof RingCentralRestClient>[0]> = {},
): RingCentralRestClient {
  const client = new RingCentralRestClient({
    server: emulator.url,
    clientId: emulator.clientId,
    ...(emulator.clientSecret === undefined ? {} : { clientSecret: emulator.clientSecret }),
    jwt: makeJwt(),
    retry: fastRetry,
    ...overrides,
  });
  openClosers.push(() => client.close());
  return client;
}

export function lineFor(
  emulator: RingCentralEmulator,
  overrides: Partial<RingCentralLineOptions> = {},
): RingCentralLine {
  const line = new RingCentralLine({
    server: emulator.url,
    clientId: emulator.clientId,
    ...(emulator.clientSecret === undefined ? {} : { clientSecret: emulator.clientSecret }),
    jwt: makeJwt(),
    region: "NA",
    retry: fastRetry,
    recoverCheckIntervalMs: () => 100,
    ...overrides,
  });
  openClosers.push(() => line.stop());
  return line;
}

/** Polls `condition` every 20 ms until true or `timeoutMs` (bounded; for real-socket tests). */
export async function eventually(
  condition: () => boolean,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
