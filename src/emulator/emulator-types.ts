/**
 * Types and defaults of the RingCentral emulator: a local HTTP + WebSocket server that speaks the
 * platform's wire protocol (ringcentral.md 1, 2, 4, 5, 7, 8) so that the real client code
 * (`@rc-ex/core`, `@rc-ex/ws`, our src/ringcentral) runs against it unmodified.
 */

export type RateLimitGroup = "light" | "medium" | "heavy" | "auth";

export interface GroupLimit {
  readonly limit: number;
  readonly windowS: number;
  /** Penalty after the limit is exceeded (`Retry-After`); requests during it restart it (ringcentral.md 8). */
  readonly penaltyS: number;
}

/** RingCentral's defaults per user per app (ringcentral.md 8). */
export const defaultGroupLimits: Readonly<Record<RateLimitGroup, GroupLimit>> = {
  light: { limit: 50, windowS: 60, penaltyS: 60 },
  medium: { limit: 40, windowS: 60, penaltyS: 60 },
  heavy: { limit: 10, windowS: 60, penaltyS: 60 },
  auth: { limit: 5, windowS: 60, penaltyS: 60 },
};

export interface EmulatedOutboundProxy {
  readonly region: string;
  /** UDP/TCP proxy `host:port`. */
  readonly proxy: string;
  /** TLS proxy `host:port` (point it at a test Kamailio's TLS port). */
  readonly proxyTLS: string;
}

export interface EmulatedSipInfo {
  readonly domain: string;
  readonly userName: string;
  readonly password: string;
  readonly authorizationId: string;
  readonly outboundProxies: readonly EmulatedOutboundProxy[];
}

export type EmulatedDeviceType =
  | "BLA"
  | "SoftPhone"
  | "OtherPhone"
  | "HardPhone"
  | "WebPhone"
  | "Paging"
  | "Room"
  | "WebRTC";

export interface EmulatedDevice {
  readonly id: string;
  readonly type: EmulatedDeviceType;
  readonly name: string;
  status: "Online" | "Offline";
  /** Credentials returned by `GET /device/{id}/sip-info` (404 when absent). */
  readonly sipInfo?: EmulatedSipInfo;
}

export interface EmulatorOptions {
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly clientId?: string;
  /** Confidential app secret (Basic auth); undefined for a public app (client_id in the body). */
  readonly clientSecret?: string | undefined;
  /** When set, only these JWT credentials are accepted; otherwise any well-formed unexpired JWT. */
  readonly acceptedJwts?: readonly string[];
  readonly accessTokenTtlS?: number;
  readonly refreshTokenTtlS?: number;
  readonly wsTokenTtlS?: number;
  readonly accountId?: string;
  readonly extensionId?: string;
  readonly extensionNumber?: string;
  readonly devices?: readonly EmulatedDevice[];
  /** Limits per group; a group missing here uses {@link defaultGroupLimits}. */
  readonly rateLimits?: Partial<Record<RateLimitGroup, GroupLimit>>;
  /** WebSocket session recovery window in seconds (ConnectionDetails `recoveryTimeout`). */
  readonly recoveryTimeoutS?: number;
  /** How many notifications a disconnected WebSocket session buffers for recovery. */
  readonly recoveryBufferSize?: number;
  /** Delay before a finished call's call-log record becomes visible (RingCentral has some latency). */
  readonly callLogDelayMs?: number;
  /** Webhook validation must answer within this (RingCentral: 3000 ms). */
  readonly webhookValidationTimeoutMs?: number;
}

/** A default "Existing Phone" device whose TLS proxy is a placeholder the test replaces. */
export function defaultSipInfo(tlsHostPort = "127.0.0.1:5096"): EmulatedSipInfo {
  return {
    domain: "sip.ringcentral.com",
    userName: "16505550100",
    password: "emulator-sip-password",
    authorizationId: "802500000001",
    outboundProxies: [
      { region: "NA", proxy: "127.0.0.1:5090", proxyTLS: tlsHostPort },
      { region: "EMEA", proxy: "127.0.0.2:5090", proxyTLS: "127.0.0.2:5096" },
    ],
  };
}

export function defaultDevices(): EmulatedDevice[] {
  return [
    { id: "800000001001", type: "SoftPhone", name: "RingCentral app", status: "Online" },
    {
      id: "800000001002",
      type: "OtherPhone",
      name: "Existing Phone - ringagent",
      status: "Offline",
      sipInfo: defaultSipInfo(),
    },
  ];
}

export type PartyStatusCode =
  | "Setup"
  | "Proceeding"
  | "Answered"
  | "Disconnected"
  | "Gone"
  | "Parked"
  | "Hold"
  | "VoiceMail"
  | "FaxReceive"
  | "VoiceMailScreening";

export interface EmulatedPartyStatus {
  readonly code: PartyStatusCode;
  readonly reason?: string;
}

export interface PartyAddress {
  readonly phoneNumber?: string;
  readonly name?: string;
  readonly extensionId?: string;
}

export interface EmulatedParty {
  readonly id: string;
  readonly direction: "Inbound" | "Outbound";
  readonly from: PartyAddress;
  readonly to: PartyAddress;
  /** Our extension's party (events are delivered for it); the caller's party is not. */
  readonly ours: boolean;
  status: EmulatedPartyStatus;
  readonly sipCallId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly recordings: { id: string; active: boolean }[];
}

export interface EmulatedSession {
  readonly telephonySessionId: string;
  readonly sessionId: string;
  readonly serverId: string;
  readonly creationTime: string;
  readonly startedAtMs: number;
  answeredAtMs: number | undefined;
  endedAtMs: number | undefined;
  readonly parties: EmulatedParty[];
  /** What the call log will say (from how it ended). */
  result: string;
}

export interface FaultRule {
  readonly method?: string;
  /** Matches when the request path contains this. */
  readonly pathContains: string;
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** How many requests it hits (default 1). */
  times?: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}
