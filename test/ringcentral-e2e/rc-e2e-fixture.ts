/**
 * Issue 8 end-to-end fixture: the RingCentral emulator whose "Existing Phone" sip-info points at
 * the test bed's Kamailio over TLS (a Kamailio user's credentials; authorizationId = digest user),
 * the whole service (`startRingagent`) with one `ringcentral` line answered by the echo agent, and
 * a baresip "PSTN caller" registered at the same Kamailio over TLS with SRTP.
 */
import { join } from "node:path";
import { configSchema, type RingagentConfig } from "../../src/config/index.js";
import { type EmulatedDevice, RingCentralEmulator } from "../../src/emulator/index.js";
import { type ServiceHandle, startRingagent } from "../../src/main.js";
import { type Logger, silentLogger } from "../../src/shared/index.js";
import type { Call } from "../../src/telephony/index.js";
import {
  type BaresipInstance,
  type KamailioInstance,
  requireTools,
  speechWav,
  TestBed,
} from "../bed/index.js";
import { makeJwt } from "../ringcentral/rc-fixture.js";

export const existingPhoneId = "800000009001";

/** The emulator's devices: the RingCentral app (unusable) and an Existing Phone on Kamailio. */
export function devicesOnKamailio(kamailio: KamailioInstance): EmulatedDevice[] {
  const password = kamailio.users.agent ?? "agentpw";
  return [
    { id: "800000009000", type: "SoftPhone", name: "RingCentral app", status: "Offline" },
    {
      id: existingPhoneId,
      type: "OtherPhone",
      name: "Existing Phone - ringagent",
      status: "Offline",
      sipInfo: {
        domain: "127.0.0.1",
        userName: "agent",
        password,
        authorizationId: "agent",
        outboundProxies: [
          {
            region: "NA",
            proxy: `127.0.0.1:${kamailio.sipPort}`,
            proxyTLS: `127.0.0.1:${kamailio.tlsPort ?? 0}`,
          },
        ],
      },
    },
  ];
}

export interface RcE2e {
  readonly bed: TestBed;
  readonly kamailio: KamailioInstance;
  readonly emulator: RingCentralEmulator;
  readonly service: ServiceHandle;
  readonly caller: BaresipInstance;
  close(): Promise<void>;
}

export function rcConfig(options: {
  emulator: RingCentralEmulator;
  dir: string;
  jwt?: string;
  rtpPortMin: number;
  /** Extra fields of the line's `ringcentral:` (events, webhook...) and of `http:`. */
  ringcentral?: Record<string, unknown>;
  http?: Record<string, unknown>;
}): RingagentConfig {
  return configSchema.parse({
    instance: "rc-e2e",
    lines: [
      {
        name: "rc",
        kind: "ringcentral",
        agent: "echo",
        codecs: ["PCMU"],
        srtp: "mandatory",
        ringcentral: {
          server: options.emulator.url,
          clientId: options.emulator.clientId,
          clientSecret: options.emulator.clientSecret ?? "none",
          jwt: options.jwt ?? makeJwt(),
          region: "NA",
          verifyCertificate: false,
          ...options.ringcentral,
        },
      },
    ],
    agents: { echo: { kind: "echo" } },
    media: { rtpPortMin: options.rtpPortMin, rtpPortMax: options.rtpPortMin + 198, codecs: ["PCMU"] },
    http: { listen: "127.0.0.1:0", ...options.http },
    store: { kind: "sqlite", path: join(options.dir, "calls.db") },
    log: { level: "silent" },
  });
}

/** Kamailio (TLS), the emulator on it, the service registered through it, and a registered caller. */
export async function startRcE2e(options: {
  logger?: Logger;
  rtpPortMin: number;
  ringcentral?: Record<string, unknown>;
  http?: Record<string, unknown>;
}): Promise<RcE2e> {
  requireTools(["kamailio", "baresip", "sox", "flite", "openssl"]);
  const bed = new TestBed("ringagent-rc-e2e-");
  let emulator: RingCentralEmulator | undefined;
  let service: ServiceHandle | undefined;
  try {
    const kamailio = await bed.kamailio({ tls: true });
    emulator = await RingCentralEmulator.start({ devices: devicesOnKamailio(kamailio) });
    const dir = await bed.path("service");
    const config = rcConfig({
      emulator,
      dir,
      rtpPortMin: options.rtpPortMin,
      ...(options.ringcentral === undefined ? {} : { ringcentral: options.ringcentral }),
      ...(options.http === undefined ? {} : { http: options.http }),
    });
    service = await startRingagent(config, {
      logger: options.logger ?? silentLogger(),
      drainTimeoutMs: 1000,
    });
    const media = await bed.path("media");
    const callerWav = await speechWav("hello this is the caller speaking", join(media, "caller.wav"), {
      rateHz: 8000,
      padBeforeS: 0.5,
      padAfterS: 60,
    });
    const certs = await bed.certs();
    const caller = await bed.baresip({
      name: "pstn",
      sourceWav: callerWav,
      certs,
      mediaEncryption: "srtp-mand",
      audioCodecs: ["PCMU"],
      wideband: false,
      account: {
        kind: "register",
        user: "alice",
        password: kamailio.users.alice ?? "alicepw",
        domain: `127.0.0.1:${kamailio.tlsPort ?? 0}`,
        transport: "tls",
      },
    });
    await caller.waitRegistered(20_000);
    const started = { emulator, service };
    return {
      bed,
      kamailio,
      emulator,
      service,
      caller,
      async close() {
        await started.service.stop();
        await started.emulator.stop();
        await bed.close();
      },
    };
  } catch (error) {
    await service?.stop().catch(() => undefined);
    await emulator?.stop().catch(() => undefined);
    await bed.close();
    throw error;
  }
}

export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function nextCall(service: ServiceHandle, ms = 20_000): Promise<Call> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no call within ${ms} ms`)), ms);
    service.telephony.manager.once("call", (call) => {
      clearTimeout(timer);
      resolve(call);
    });
  });
}

/** RTP packets of a call's media session in each direction. */
export function mediaPackets(call: Call): { in: number; out: number } {
  const stats = call.media.stats?.();
  return { in: stats?.packetsReceived ?? 0, out: stats?.packetsSent ?? 0 };
}
