/**
 * `ringagent doctor` for `ringcentral` lines: the JWT credential's expiry (no network), then one
 * REST probe per line (one login: the Auth group allows ~5 a minute) that reads what the line
 * needs — the device list, the device's sip-info, the telephony WebSocket token, Call Control and
 * the call log — and reports missing app permissions (403 CMN-408), no usable device, and a
 * device that is already registered elsewhere (only the latest registration receives calls).
 * Every failure or warning carries its fix.
 */
import type { LineConfig, RingagentConfig } from "../../config/index.js";
import {
  checkJwtCredential,
  createExistingPhoneHelp,
  defaultJwtWarnDays,
  describeJwtCheck,
  NoUsableDeviceError,
  RingCentralApiError,
  RingCentralRestClient,
  type RingCentralSipSettings,
  resolveSipSettings,
} from "../../ringcentral/index.js";
import { describeError, silentLogger } from "../../shared/index.js";
import type { DoctorCheck, DoctorResult } from "./doctor-command.js";

type RingCentralLineConfig = Extract<LineConfig, { kind: "ringcentral" }>;

export interface RingCentralDoctorOptions {
  readonly nowEpochMs?: () => number;
  readonly jwtWarnDays?: number;
  /** REST retry tuning (tests); the defaults wait RingCentral's Retry-After. */
  readonly retry?: ConstructorParameters<typeof RingCentralRestClient>[0]["retry"];
}

/** What one line's probe learnt; each check reports one part of it. */
interface Probe {
  readonly login: DoctorResult;
  readonly permissions: DoctorResult | undefined;
  readonly device: DoctorResult | undefined;
  readonly registration: DoctorResult | undefined;
}

const permissionFix =
  "add the missing permission(s) to the app in the RingCentral Developer Console (your app > Settings > App permissions), then restart ringagent so that new tokens carry them";

/** The permission named in a CMN-408 message ("... needs to have [VoipCalling] permission"). */
export function permissionOf(error: RingCentralApiError): string {
  const match = /\[([A-Za-z]+)\]/.exec(error.rcMessage ?? "");
  return match?.[1] ?? "unknown";
}

function isMissingPermission(error: unknown): error is RingCentralApiError {
  return error instanceof RingCentralApiError && error.status === 403 && error.errorCode === "CMN-408";
}

/** Runs `request`; a 403 CMN-408 adds its permission to `missing`; other failures count as "reachable". */
async function needs(missing: Set<string>, request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (isMissingPermission(error)) missing.add(permissionOf(error));
    else if (!(error instanceof RingCentralApiError) || error.status >= 500 || error.status === 0)
      throw error;
  }
}

async function runProbe(line: RingCentralLineConfig, options: RingCentralDoctorOptions): Promise<Probe> {
  const rc = line.ringcentral;
  const client = new RingCentralRestClient({
    server: rc.server,
    clientId: rc.clientId,
    clientSecret: rc.clientSecret,
    jwt: rc.jwt,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
  try {
    try {
      await client.login();
    } catch (error) {
      const detail =
        error instanceof RingCentralApiError
          ? `login refused (${error.status} ${error.errorCode ?? error.oauthError ?? ""}): ${error.explanation}`
          : `cannot reach ${rc.server}: ${describeError(error)}`;
      return {
        login: {
          status: "fail",
          detail,
          fix: "check ringcentral.server, clientId, clientSecret and jwt (a JWT credential of this app's user)",
        },
        permissions: undefined,
        device: undefined,
        registration: undefined,
      };
    }
    const login: DoctorResult = { status: "pass", detail: `logged in to ${rc.server}` };
    const missing = new Set<string>();
    let sip: RingCentralSipSettings | undefined;
    let device: DoctorResult;
    try {
      sip = await resolveSipSettings(client, {
        deviceId: rc.deviceId,
        region: rc.region,
        logger: silentLogger(),
      });
      device = {
        status: "pass",
        detail: `Existing Phone ${sip.deviceId ?? "(manual)"}, TLS proxy ${sip.outboundProxy.host}:${sip.outboundProxy.port} (${sip.region})`,
      };
    } catch (error) {
      if (isMissingPermission(error)) {
        missing.add(permissionOf(error));
        device = {
          status: "fail",
          detail: "cannot read the device's SIP credentials without the app permission",
          fix: permissionFix,
        };
      } else if (error instanceof NoUsableDeviceError) {
        device = { status: "fail", detail: error.message, fix: createExistingPhoneHelp };
      } else if (error instanceof RingCentralApiError) {
        device = { status: "fail", detail: error.explanation, fix: createExistingPhoneHelp };
      } else throw error;
    }
    await needs(missing, () => client.post("/restapi/oauth/wstoken"));
    await needs(missing, () => client.get("/restapi/v1.0/account/~/telephony/sessions/doctor-probe"));
    await needs(missing, () => client.get("/restapi/v1.0/account/~/extension/~/call-log", { perPage: 1 }));
    const permissions: DoctorResult =
      missing.size === 0
        ? { status: "pass", detail: "VoipCalling, ReadAccounts, CallControl, WebSocket, ReadCallLog granted" }
        : {
            status: "fail",
            detail: `the app lacks ${[...missing].map((p) => `[${p}]`).join(", ")} (403 CMN-408)`,
            fix: permissionFix,
          };
    let registration: DoctorResult | undefined;
    if (sip?.deviceId !== undefined) {
      const { data } = await client.get(`/restapi/v1.0/account/~/device/${encodeURIComponent(sip.deviceId)}`);
      const status = (data as { status?: unknown } | undefined)?.status;
      registration =
        status === "Online"
          ? {
              status: "warn",
              detail: `device ${sip.deviceId} is registered right now; if that is not this ringagent, starting would take it over (only the latest registration receives calls)`,
              fix: "stop the other instance or phone using this device, or give each instance its own Existing Phone (ringcentral.deviceId)",
            }
          : { status: "pass", detail: `device ${sip.deviceId} is free (${String(status ?? "Unknown")})` };
    }
    return { login, permissions, device, registration };
  } finally {
    await client.close();
  }
}

export function ringCentralDoctorChecks(
  config: RingagentConfig,
  options: RingCentralDoctorOptions = {},
): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  for (const line of config.lines) {
    if (line.kind !== "ringcentral") continue;
    checks.push({
      name: `line ${line.name}: JWT credential`,
      run: async () => {
        const check = checkJwtCredential(
          line.ringcentral.jwt,
          options.nowEpochMs?.() ?? Date.now(),
          options.jwtWarnDays ?? defaultJwtWarnDays,
        );
        const detail = describeJwtCheck(check);
        const fix =
          "create a new JWT credential for this app in the RingCentral Developer Console (Credentials) and put it in the variable your config's jwt: uses";
        switch (check.status) {
          case "valid":
          case "no-expiry":
            return { status: "pass", detail };
          case "expiring-soon":
            return { status: "warn", detail, fix };
          default:
            return { status: "fail", detail, fix };
        }
      },
    });
    let probe: Promise<Probe> | undefined;
    const part = (
      name: string,
      pick: (p: Probe) => DoctorResult | undefined,
      skipped: string,
    ): DoctorCheck => ({
      name: `line ${line.name}: ${name}`,
      run: async () => {
        probe ??= runProbe(line, options);
        const result = pick(await probe);
        return result ?? { status: "warn", detail: skipped };
      },
    });
    checks.push(
      part("RingCentral login", (p) => p.login, "not checked"),
      part("app permissions", (p) => p.permissions, "not checked (login failed)"),
      part("device", (p) => p.device, "not checked (login failed)"),
      part("registration", (p) => p.registration, "not checked (no device)"),
    );
  }
  return checks;
}
