/**
 * Wiring for main.ts: a CallManager with real media, and SIP lines built from line settings shaped
 * like the config's lines (src/config/schema.ts; telephony cannot import config, so the shape is
 * restated here and a parsed config line fits it as is). RingCentral lines are built by the
 * ringcentral layer, which then calls `addSignalingLine`.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { type Clock, type Logger, RingagentError, silentLogger, systemClock } from "../shared/index.js";
import { type ListenSpec, type SipAddress, SipUserAgent, type SipUserAgentOptions } from "../sip/index.js";
import { type CallHandler, CallManager, type LinePolicy } from "./call-manager.js";
import { RtpMediaFactory } from "./rtp-media-factory.js";
import type { SignalingLine } from "./signaling-port.js";
import { SipLineAdapter } from "./sip-signaling-adapter.js";

type Transport = "udp" | "tcp" | "tls" | "ws" | "wss";

/** RFC 4028 7.1: "the recommended value is 1800 seconds". */
export const defaultSessionExpiresS = 1800;

/** A line as config describes it (the fields telephony uses). */
export interface TelephonyLineSpec {
  readonly name: string;
  readonly kind: string;
  readonly maxConcurrentCalls: number;
  readonly answerDelayMs: number;
  readonly callers: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  readonly codecs?: readonly string[] | undefined;
  readonly srtp: "off" | "optional" | "mandatory";
  readonly listen?: string | readonly string[] | undefined;
  readonly registrar?: string;
  readonly domain?: string | undefined;
  readonly username?: string;
  readonly authUsername?: string | undefined;
  readonly password?: string;
  readonly transport?: Transport;
  readonly outboundProxy?: string | undefined;
  readonly outboundProxyBackup?: string | undefined;
  readonly registerExpiresS?: number;
  readonly tls?: { readonly caFile?: string | undefined; readonly verifyCertificate: boolean };
  readonly allowPeers?: readonly string[];
  readonly auth?:
    | { readonly username: string; readonly password: string; readonly realm?: string | undefined }
    | undefined;
}

export interface TelephonyOptions {
  readonly rtpPortMin: number;
  readonly rtpPortMax: number;
  /** Default codecs for lines that name none. */
  readonly codecs: readonly string[];
  readonly mediaTimeoutMs: number;
  /** Where RTP sockets bind (default 0.0.0.0) and the address our SDP names (default: first non-internal IPv4). */
  readonly rtpBindAddress?: string;
  readonly advertisedAddress?: string;
  readonly userAgent?: string;
  readonly timers?: { readonly t1Ms: number; readonly t2Ms: number; readonly t4Ms: number };
  /**
   * RFC 4028 session timers asked for on outbound calls (seconds; 0 turns them off). Inbound calls
   * get timers whenever the caller asks. Default 1800, the RFC's recommended interval.
   */
  readonly sessionExpiresS?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** `HOST[:PORT]` / `[v6]:PORT` to an address (config text, validated by the config schema). */
export function parseHostPort(text: string, protocol: Transport): SipAddress {
  const defaultPort = protocol === "tls" || protocol === "wss" ? 5061 : 5060;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    const port = text[end + 1] === ":" ? Number(text.slice(end + 2)) : defaultPort;
    return { protocol, host: text.slice(1, end), port };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { protocol, host: text, port: defaultPort };
  return { protocol, host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

/** `udp:HOST:PORT` listen text; ws/wss listening is not offered by the SIP layer. */
export function parseListen(text: string): ListenSpec {
  const colon = text.indexOf(":");
  const protocol = text.slice(0, colon).toLowerCase();
  if (protocol !== "udp" && protocol !== "tcp" && protocol !== "tls") {
    throw new RingagentError("config_invalid", `listen "${text}": only udp, tcp and tls can listen`);
  }
  const address = parseHostPort(text.slice(colon + 1), protocol);
  return { protocol, host: address.host, port: address.port };
}

function firstExternalIpv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) if (info.family === "IPv4" && !info.internal) return info.address;
  }
  return "127.0.0.1";
}

export function linePolicyOf(spec: TelephonyLineSpec, defaultCodecs: readonly string[]): LinePolicy {
  return {
    maxConcurrentCalls: spec.maxConcurrentCalls,
    answerDelayMs: spec.answerDelayMs,
    callers: spec.callers,
    codecs: spec.codecs ?? defaultCodecs,
    srtp: spec.srtp,
  };
}

/** SipUserAgent options for a local, sip-account or sip-trunk line. */
export async function sipOptionsForLine(
  spec: TelephonyLineSpec,
  common: Pick<SipUserAgentOptions, "clock" | "logger" | "userAgent" | "timers">,
): Promise<SipUserAgentOptions> {
  const listens =
    spec.listen === undefined ? [] : typeof spec.listen === "string" ? [spec.listen] : spec.listen;
  const listen = listens.map(parseListen);
  switch (spec.kind) {
    case "local": {
      const host = listen[0]?.host ?? "127.0.0.1";
      return { ...common, listen, account: { aor: `sip:agent@${host}` }, inbound: { allowAny: true } };
    }
    case "sip-account": {
      const transport = spec.transport ?? "udp";
      const registrar = spec.registrar ?? "";
      const domain = spec.domain ?? registrar;
      const proxy = parseHostPort(spec.outboundProxy ?? registrar, transport);
      const backup =
        spec.outboundProxyBackup === undefined
          ? undefined
          : parseHostPort(spec.outboundProxyBackup, transport);
      const ca = spec.tls?.caFile === undefined ? undefined : await readFile(spec.tls.caFile, "utf8");
      return {
        ...common,
        // A UDP line needs a socket of its own; stream lines use their flow to the proxy.
        listen:
          listen.length > 0
            ? listen
            : transport === "udp"
              ? [{ protocol: "udp", host: "0.0.0.0", port: 0 }]
              : [],
        account: {
          aor: `sip:${spec.username ?? "agent"}@${domain}`,
          ...(spec.authUsername !== undefined ? { username: spec.authUsername } : {}),
          ...(spec.password !== undefined ? { password: spec.password } : {}),
        },
        outboundProxy: { primary: proxy, ...(backup ? { backup } : {}) },
        registration: { expiresS: spec.registerExpiresS ?? 600 },
        transport: {
          tls: {
            ...(ca !== undefined ? { ca } : {}),
            rejectUnauthorized: spec.tls?.verifyCertificate ?? true,
          },
        },
      };
    }
    case "sip-trunk": {
      const auth = spec.auth;
      return {
        ...common,
        listen,
        inbound: {
          allowedCidrs: spec.allowPeers ?? [],
          ...(auth
            ? {
                challenge: {
                  realm: auth.realm ?? "ringagent",
                  secret: randomBytes(32),
                  passwordOf: (user: string) => (user === auth.username ? auth.password : undefined),
                },
              }
            : {}),
        },
      };
    }
    default:
      throw new RingagentError(
        "config_invalid",
        `line ${spec.name}: kind ${spec.kind} is not a plain SIP line`,
      );
  }
}

/** The process's telephony: one CallManager, real media, and the SIP lines added to it. */
export class Telephony {
  readonly manager: CallManager;
  readonly media: RtpMediaFactory;
  readonly #options: TelephonyOptions;
  readonly #agents: SipUserAgent[] = [];

  constructor(options: TelephonyOptions) {
    this.#options = options;
    const bind = options.rtpBindAddress ?? "0.0.0.0";
    const sessionExpiresS = options.sessionExpiresS ?? defaultSessionExpiresS;
    this.media = new RtpMediaFactory({
      portRange: { minPort: options.rtpPortMin, maxPort: options.rtpPortMax },
      bindAddress: bind,
      advertisedAddress: options.advertisedAddress ?? (bind === "0.0.0.0" ? firstExternalIpv4() : bind),
    });
    this.manager = new CallManager({
      media: this.media,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? silentLogger(),
      mediaTimeoutMs: options.mediaTimeoutMs,
      ...(sessionExpiresS > 0 ? { sessionExpiresS } : {}),
    });
  }

  /** Builds, starts (and registers) the line's SIP user agent and takes its calls. */
  async addLine(
    spec: TelephonyLineSpec,
    handler?: CallHandler,
  ): Promise<{ readonly ua: SipUserAgent; readonly addresses: SipAddress[] }> {
    const o = this.#options;
    const ua = new SipUserAgent(
      await sipOptionsForLine(spec, {
        ...(o.clock ? { clock: o.clock } : {}),
        ...(o.logger ? { logger: o.logger.child({ line: spec.name }) } : {}),
        ...(o.userAgent ? { userAgent: o.userAgent } : {}),
        ...(o.timers ? { timers: { t1Ms: o.timers.t1Ms, t2Ms: o.timers.t2Ms, t4Ms: o.timers.t4Ms } } : {}),
      }),
    );
    this.manager.addLine(new SipLineAdapter(spec.name, ua), linePolicyOf(spec, o.codecs), handler);
    this.#agents.push(ua);
    const addresses = await ua.start();
    return { ua, addresses };
  }

  /** A line whose signaling comes from elsewhere (RingCentral builds its own SipUserAgent). */
  addSignalingLine(line: SignalingLine, policy: LinePolicy, handler?: CallHandler): void {
    this.manager.addLine(line, policy, handler);
  }

  /** Hangs up every call, then stops (and unregisters) every line. */
  async close(): Promise<void> {
    await this.manager.close();
    await Promise.all(this.#agents.map((ua) => ua.stop({ unregisterTimeoutMs: 2000 })));
  }
}

export function createTelephony(options: TelephonyOptions): Telephony {
  return new Telephony(options);
}
