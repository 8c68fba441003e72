/**
 * `ringagent doctor` for `sip-account` lines: one real REGISTER with the line's credentials through
 * the line's own SIP user agent (built by main.ts, the only place that constructs concrete classes),
 * waiting for the registrar's verdict — 2xx, a typed failure, or nothing within the time limit —
 * then unregistering and closing the sockets. Only the probe's own Contact is unbound, so a running
 * `ringagent start` on the same account keeps its binding; the probe listens on the line's address
 * with a free port, so it also runs beside that service.
 */
import { type LineConfig, parseListenSpec } from "../../config/index.js";
import { describeError } from "../../shared/index.js";
import type { RegistrationError, RegistrationState, SipUserAgent } from "../../sip/index.js";
import type { DoctorCheck, DoctorResult } from "./doctor-command.js";

export type SipAccountLineConfig = Extract<LineConfig, { kind: "sip-account" }>;

/** Builds (without starting) the line's SIP user agent, exactly as `start` would. */
export type RegistrationProbeFactory = (line: SipAccountLineConfig) => Promise<SipUserAgent>;

export const defaultRegistrationProbeTimeoutMs = 10_000;
const unregisterTimeoutMs = 2_000;

type Verdict =
  | { readonly kind: "registered" }
  | { readonly kind: "error"; readonly error: RegistrationError }
  | { readonly kind: "timeout" }
  | { readonly kind: "aborted" };

/** The doctor line for one registration verdict. */
export function describeRegistration(
  line: SipAccountLineConfig,
  verdict: Verdict,
  timeoutMs: number,
): DoctorResult {
  const where = `${line.registrar} over ${line.transport}`;
  const credentialsFix = `check username/authUsername/password for line ${line.name}`;
  switch (verdict.kind) {
    case "registered":
      return { status: "pass", detail: `registered at ${where}; the probe then unregisters` };
    case "timeout":
    case "aborted":
      return {
        status: "fail",
        detail: `no answer from the registrar at ${where} within ${timeoutMs / 1000} s`,
        fix: `check registrar:, transport: and outboundProxy: of line ${line.name}, that the registrar runs, and that no firewall drops SIP (${line.transport}) to it`,
      };
    case "error": {
      const { error } = verdict;
      // A 403 to REGISTER is how several registrars (Asterisk, FreeSWITCH) refuse a wrong password.
      if (error.code === "sip_auth_failed" || error.status === 403) {
        return {
          status: "fail",
          detail: `the registrar rejected the credentials (${error.status})`,
          fix: credentialsFix,
        };
      }
      if (error.code === "sip_registration_timeout" || error.code === "sip_registration_transport") {
        return {
          status: "fail",
          detail: `cannot reach the registrar at ${where} (${error.status})`,
          fix: `check registrar:, transport: and outboundProxy: of line ${line.name} and that the registrar accepts ${line.transport}`,
        };
      }
      return {
        status: "fail",
        detail: `the registrar at ${where} answered ${error.status}`,
        fix: `check domain: and username: of line ${line.name} (the address-of-record the registrar expects)`,
      };
    }
  }
}

/** The line with its listen port set to 0 (a running service may hold the configured port). */
function withFreePort(line: SipAccountLineConfig): SipAccountLineConfig {
  if (line.listen === undefined) return line;
  const spec = parseListenSpec(line.listen);
  if ("problem" in spec) return line;
  const host = spec.host.includes(":") ? `[${spec.host}]` : spec.host;
  return { ...line, listen: `${spec.protocol}:${host}:0` };
}

/** Starts the UA and resolves with the first verdict: registered, a registration error, or the time limit. */
function awaitVerdict(ua: SipUserAgent, timeoutMs: number, signal: AbortSignal): Promise<Verdict> {
  return new Promise<Verdict>((resolve) => {
    const done = (verdict: Verdict): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      ua.off("registrationState", onState);
      ua.off("registrationError", onError);
      resolve(verdict);
    };
    const onState = (state: RegistrationState): void => {
      if (state === "registered") done({ kind: "registered" });
    };
    const onError = (error: RegistrationError): void => done({ kind: "error", error });
    const onAbort = (): void => done({ kind: "aborted" });
    const timer = setTimeout(() => done({ kind: "timeout" }), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    ua.on("registrationState", onState);
    ua.on("registrationError", onError);
    if (signal.aborted) onAbort();
  });
}

/** One `line X: registration` check per `sip-account` line. */
export function registrationDoctorCheck(
  line: SipAccountLineConfig,
  probe: RegistrationProbeFactory,
  options: { timeoutMs?: number } = {},
): DoctorCheck {
  const timeoutMs = options.timeoutMs ?? defaultRegistrationProbeTimeoutMs;
  return {
    name: `line ${line.name}: registration`,
    run: async (signal) => {
      let ua: SipUserAgent;
      try {
        ua = await probe(withFreePort(line));
      } catch (error) {
        return {
          status: "fail",
          detail: `cannot set up the line's SIP user agent: ${describeError(error)}`,
          fix: `check listen:, transport: and tls: of line ${line.name}`,
        };
      }
      const startFailed = new AbortController();
      const verdict = awaitVerdict(ua, timeoutMs, AbortSignal.any([signal, startFailed.signal]));
      try {
        await ua.start();
        return describeRegistration(line, await verdict, timeoutMs);
      } catch (error) {
        startFailed.abort();
        return {
          status: "fail",
          detail: `cannot start the line's SIP user agent: ${describeError(error)}`,
          fix: `check listen: and transport: of line ${line.name} (a free local address)`,
        };
      } finally {
        await ua.stop({ unregisterTimeoutMs });
      }
    },
  };
}
