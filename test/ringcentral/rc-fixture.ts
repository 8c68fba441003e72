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

export async function startEmulator(options: EmulatorOptions = {}): Promise<RingCentralEmulator> {
  return RingCentralEmulator.start(options);
}

export function clientFor(
  emulator: RingCentralEmulator,
  overrides: Partial<ConstructorParameters<typeof RingCentralRestClient>[0]> = {},
): RingCentralRestClient {
  return new RingCentralRestClient({
    server: emulator.url,
    clientId: emulator.clientId,
    ...(emulator.clientSecret === undefined ? {} : { clientSecret: emulator.clientSecret }),
    jwt: makeJwt(),
    retry: fastRetry,
    ...overrides,
  });
}

export function lineFor(
  emulator: RingCentralEmulator,
  overrides: Partial<RingCentralLineOptions> = {},
): RingCentralLine {
  return new RingCentralLine({
    server: emulator.url,
    clientId: emulator.clientId,
    ...(emulator.clientSecret === undefined ? {} : { clientSecret: emulator.clientSecret }),
    jwt: makeJwt(),
    region: "NA",
    retry: fastRetry,
    recoverCheckIntervalMs: () => 100,
    ...overrides,
  });
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
