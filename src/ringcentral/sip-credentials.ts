import { type Logger, RingagentError } from "../shared/index.js";
import { RingCentralApiError } from "./rc-api-error.js";
import type { RingCentralRestClient } from "./rest-client.js";

/**
 * SIP credentials of the line (ringcentral.md 2.3, 2.4): a server softphone with TLS + SDES-SRTP
 * registers as an "Existing Phone" device (API type `OtherPhone`); its credentials come from
 * `GET /account/~/device/{id}/sip-info`, with the TLS proxy (`proxyTLS`) of the configured region.
 * `SoftPhone` (the RingCentral app) cannot be used. The WebPhone path (`POST
 * /client-info/sip-provision` with `transport: WSS`, DTLS-SRTP media) is a later slot: it would
 * return the same shape with `transport: "wss"` and `source: "sip-provision"`.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** What the SIP UA needs to register as the device (plain data; never log `password`). */
export interface RingCentralSipSettings {
  /** SIP domain (realm for digest), e.g. `sip.ringcentral.com`, without a port. */
  readonly domain: string;
  /** User part of the AOR `sip:{username}@{domain}`. */
  readonly username: string;
  /** Digest username (ringcentral.md 3.2: `username="{authorizationId}"`). */
  readonly authorizationId: string;
  readonly password: string;
  /** Where to open the TLS flow. */
  readonly outboundProxy: HostPort;
  readonly transport: "tls";
  readonly region: string;
  readonly deviceId: string | undefined;
  readonly source: "sip-info" | "manual";
}

/** Manual credentials from the portal ("Set up manually using SIP") override everything. */
export interface ManualSipCredentials {
  readonly domain: string;
  readonly username: string;
  readonly authorizationId: string;
  readonly password: string;
  /** `host:port` of the TLS proxy. */
  readonly outboundProxy: string;
}

export const createExistingPhoneHelp =
  "create one in the RingCentral Admin Portal: Phone System -> Phones & Devices -> Add Device -> " +
  'Existing Phone ("Set up manually using SIP"), assigned to this extension; or set `deviceId`, or give manual SIP credentials';

/** The extension has no device a server softphone can register as. */
export class NoUsableDeviceError extends RingagentError {
  /** Device types found on the extension (for the message and `doctor`). */
  readonly foundTypes: readonly string[];

  constructor(foundTypes: readonly string[], detail?: string) {
    const found = foundTypes.length === 0 ? "no devices" : `only ${foundTypes.join(", ")}`;
    super(
      "ringcentral_no_usable_device",
      `the extension has ${found}${detail === undefined ? "" : ` (${detail})`}: ringagent needs an "Existing Phone" (OtherPhone) device; ${createExistingPhoneHelp}`,
    );
    this.foundTypes = foundTypes;
  }
}

/** `host:port` or `[v6]:port`; undefined when it is not that. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? "", port };
}

interface DeviceRecord {
  readonly id: string;
  readonly type: string;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function invalid(what: string): RingagentError {
  return new RingagentError("ringcentral_sip_info_invalid", `RingCentral sip-info is missing ${what}`);
}

export interface ResolveSipSettingsOptions {
  readonly deviceId?: string | undefined;
  /** Outbound proxy region (`NA`, `EMEA`, `APAC`, ...); the first TLS proxy is used when absent. */
  readonly region: string;
  readonly manual?: ManualSipCredentials | undefined;
  readonly logger: Logger;
}

/** Explicit device id -> its sip-info; else the extension's single OtherPhone; manual overrides. */
export async function resolveSipSettings(
  client: RingCentralRestClient,
  options: ResolveSipSettingsOptions,
): Promise<RingCentralSipSettings> {
  if (options.manual !== undefined) {
    const proxy = parseHostPort(options.manual.outboundProxy);
    if (proxy === undefined) {
      throw new RingagentError(
        "ringcentral_manual_sip_invalid",
        "manual SIP outboundProxy must be host:port",
      );
    }
    return {
      domain: options.manual.domain,
      username: options.manual.username,
      authorizationId: options.manual.authorizationId,
      password: options.manual.password,
      outboundProxy: proxy,
      transport: "tls",
      region: options.region,
      deviceId: options.deviceId,
      source: "manual",
    };
  }
  const deviceId = options.deviceId ?? (await discoverExistingPhone(client, options.logger));
  let data: unknown;
  try {
    ({ data } = await client.get(`/restapi/v1.0/account/~/device/${encodeURIComponent(deviceId)}/sip-info`));
  } catch (error) {
    if (error instanceof RingCentralApiError && error.status === 404) {
      throw new NoUsableDeviceError([], `device ${deviceId} has no SIP credentials or does not exist`);
    }
    throw error;
  }
  return sipSettingsFromSipInfo(data, deviceId, options.region, options.logger);
}

/** Lists the extension's devices and picks the Existing Phone. */
export async function discoverExistingPhone(client: RingCentralRestClient, logger: Logger): Promise<string> {
  const { data } = await client.get("/restapi/v1.0/account/~/extension/~/device");
  const records = asRecord(data).records;
  const devices: DeviceRecord[] = Array.isArray(records)
    ? records.flatMap((r) => {
        const rec = asRecord(r);
        return typeof rec.id === "string" && typeof rec.type === "string"
          ? [{ id: rec.id, type: rec.type }]
          : [];
      })
    : [];
  const usable = devices.filter((d) => d.type === "OtherPhone");
  const first = usable[0];
  if (first === undefined) throw new NoUsableDeviceError([...new Set(devices.map((d) => d.type))]);
  if (usable.length > 1) {
    logger.warn(
      { deviceCount: usable.length, deviceId: first.id },
      "ringcentral: several Existing Phone devices; using the first (set deviceId to choose)",
    );
  }
  return first.id;
}

/** Maps `SipInfoResource` (note `userName`, camel case) to settings with the region's TLS proxy. */
export function sipSettingsFromSipInfo(
  sipInfo: unknown,
  deviceId: string,
  region: string,
  logger: Logger,
): RingCentralSipSettings {
  const info = asRecord(sipInfo);
  const { domain, userName, password, authorizationId } = info;
  if (typeof domain !== "string" || domain === "") throw invalid("domain");
  if (typeof userName !== "string" || userName === "") throw invalid("userName");
  if (typeof password !== "string") throw invalid("password");
  if (typeof authorizationId !== "string" || authorizationId === "") throw invalid("authorizationId");
  const proxies = Array.isArray(info.outboundProxies) ? info.outboundProxies.map(asRecord) : [];
  const withTls = proxies.filter(
    (p) => typeof p.proxyTLS === "string" && parseHostPort(p.proxyTLS) !== undefined,
  );
  const chosen =
    withTls.find((p) => typeof p.region === "string" && p.region.toLowerCase() === region.toLowerCase()) ??
    withTls[0];
  if (chosen === undefined) throw invalid("a TLS outbound proxy (proxyTLS)");
  if (chosen.region !== region) {
    logger.warn(
      { wantedRegion: region, usedRegion: chosen.region },
      "ringcentral: no TLS proxy for the configured region; using another",
    );
  }
  const outboundProxy = parseHostPort(String(chosen.proxyTLS));
  if (outboundProxy === undefined) throw invalid("a TLS outbound proxy (proxyTLS)");
  return {
    // ringcentral.md 2.4: the domain without a port; the port belongs to the proxy.
    domain: domain.replace(/:\d+$/, ""),
    username: userName,
    authorizationId,
    password,
    outboundProxy,
    transport: "tls",
    region: typeof chosen.region === "string" ? chosen.region : region,
    deviceId,
    source: "sip-info",
  };
}
