/**
 * Shared pieces of the real-peer telephony tests (issue 5): a Telephony with one `sip-account` line
 * registered at the bed's Kamailio, waiting helpers, and WAV samples for signal checks.
 */
import assert from "node:assert/strict";
import { silentLogger } from "../../src/shared/index.js";
import type { SipUserAgent } from "../../src/sip/index.js";
import { channelSamples, readWavFile } from "../../src/store/index.js";
import {
  type Call,
  type CallHandler,
  createTelephony,
  type Telephony,
  type TelephonyLineSpec,
} from "../../src/telephony/index.js";
import type { BaresipInstance, KamailioInstance, RegisteringAccount } from "../bed/index.js";

export interface AgentLine {
  readonly telephony: Telephony;
  readonly ua: SipUserAgent;
}

/**
 * Telephony with a `sip-account` line for user `agent` at the bed's Kamailio over `transport`
 * (TLS verifies Kamailio's certificate against the bed CA); waits until registered.
 */
export async function startAgentLine(options: {
  kamailio: KamailioInstance;
  transport: "udp" | "tls";
  srtp: "off" | "optional" | "mandatory";
  caFile?: string;
  handler: CallHandler;
  rtpPortMin: number;
}): Promise<AgentLine> {
  const { kamailio } = options;
  const port = options.transport === "tls" ? kamailio.tlsPort : kamailio.sipPort;
  assert.ok(port !== undefined, "kamailio listens on the transport");
  const telephony = createTelephony({
    rtpPortMin: options.rtpPortMin,
    rtpPortMax: options.rtpPortMin + 198,
    codecs: ["PCMU"],
    mediaTimeoutMs: 15_000,
    rtpBindAddress: "127.0.0.1",
    userAgent: "ringagent-test",
    logger: silentLogger(),
  });
  const spec: TelephonyLineSpec = {
    name: `kamailio-${options.transport}`,
    kind: "sip-account",
    maxConcurrentCalls: 4,
    answerDelayMs: 0,
    callers: { allow: [], deny: [] },
    codecs: ["PCMU"],
    srtp: options.srtp,
    registrar: `127.0.0.1:${port}`,
    username: "agent",
    password: kamailio.users.agent ?? "agentpw",
    transport: options.transport,
    registerExpiresS: 300,
    listen: options.transport === "udp" ? ["udp:127.0.0.1:0"] : [],
    tls: { caFile: options.caFile, verifyCertificate: true },
  };
  const { ua } = await telephony.addLine(spec, options.handler);
  await waitFor(() => ua.isRegistered, 15_000, "the agent line registers at Kamailio");
  return { telephony, ua };
}

/** A baresip account registering at the bed's Kamailio. */
export function kamailioAccount(
  kamailio: KamailioInstance,
  user: string,
  transport: "udp" | "tls",
): RegisteringAccount {
  const port = transport === "tls" ? kamailio.tlsPort : kamailio.sipPort;
  return {
    kind: "register",
    user,
    password: kamailio.users[user] ?? `${user}pw`,
    domain: `127.0.0.1:${port}`,
    transport,
  };
}

export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The next call the manager creates. */
export function nextCall(telephony: Telephony, ms = 20_000): Promise<Call> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no call within ${ms} ms`)), ms);
    telephony.manager.once("call", (call) => {
      clearTimeout(timer);
      resolve(call);
    });
  });
}

/** Dials `uri` from baresip and returns the event index to search its events from. */
export async function dialFrom(caller: BaresipInstance, uri: string): Promise<number> {
  const from = caller.ctrl.events().length;
  await caller.ctrl.dial(uri);
  return from;
}

/** Mono samples of a WAV and its rate. */
export async function wavSamples(path: string): Promise<{ samples: Int16Array; rateHz: number }> {
  const wav = await readWavFile(path);
  return { samples: wav.channels === 1 ? wav.samples : channelSamples(wav, 0), rateHz: wav.sampleRateHz };
}

/** Packets in/out of a call's media session (0 when the session has no stats). */
export function mediaPackets(call: Call): { in: number; out: number } {
  const stats = call.media.stats?.();
  return { in: stats?.packetsReceived ?? 0, out: stats?.packetsSent ?? 0 };
}
