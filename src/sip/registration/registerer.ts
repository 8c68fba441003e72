import { EventEmitter } from "node:events";
import type { Clock, Logger, Timer } from "../../shared/index.js";
import { randomToken, silentLogger, systemClock } from "../../shared/index.js";
import type { AuthorizationHeader } from "../auth/digest-client.js";
import { DigestClient } from "../auth/digest-client.js";
import { getParam, quote } from "../message/header-scan.js";
import { getContacts, getExpires } from "../message/message-accessors.js";
import { createRequest } from "../message/message-builders.js";
import type { NameAddr } from "../message/name-addr.js";
import { withTag } from "../message/name-addr.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { formatUri } from "../message/sip-uri.js";
import { makeBranch, withViaParam } from "../message/via-header.js";
import type {
  RegistrationBinding,
  RegistrationEvents,
  RegistrationOptions,
  RegistrationPort,
  RegistrationRetryPolicy,
  RegistrationState,
} from "./registration-types.js";
import { defaultRegistrationRetryPolicy, RegistrationError } from "./registration-types.js";

const allowedMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, UPDATE";

/** Allowed transitions (RFC 3261 10.2 registration + RFC 5626 4.4/4.5 flow recovery). */
const transitions: { readonly [K in RegistrationState]: readonly RegistrationState[] } = {
  idle: ["registering", "waiting-flow", "stopped", "unregistering"],
  // RFC 3261 10.2.4 / 10.3: a 2xx binds; a 401/407 is retried with credentials inside "registering".
  registering: ["registered", "retrying", "failed", "waiting-flow", "stopped", "unregistering"],
  // RFC 3261 10.2.1: "UAs SHOULD ... refresh ... before the expiration interval has elapsed".
  registered: ["refreshing", "registering", "waiting-flow", "stopped", "unregistering"],
  refreshing: ["registered", "retrying", "failed", "waiting-flow", "stopped", "unregistering"],
  retrying: ["registering", "waiting-flow", "stopped", "unregistering"],
  // RFC 5626 4.4.1: "If the flow ... fails, the UA ... [re-registers] once a new flow is created".
  "waiting-flow": ["registering", "stopped", "unregistering"],
  failed: ["registering", "stopped", "unregistering"],
  unregistering: ["stopped"],
  stopped: [],
};

/** Delay before retry n (0-based): min(max, base * 2^n), minus up to `jitter` of it at random. */
export function registrationRetryDelayMs(
  policy: RegistrationRetryPolicy,
  consecutiveFailures: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(consecutiveFailures, 0), 30);
  const waitMs = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(waitMs * (1 - policy.jitter * random()));
}

/** Refresh ahead of expiry: half-way for short bindings, 30 s early for long ones. */
export function refreshDelayMs(expiresS: number): number {
  const lifetimeMs = expiresS * 1000;
  return Math.max(1000, lifetimeMs - Math.min(30_000, lifetimeMs / 2));
}

/**
 * Registration client of one line (RFC 3261 10.2): REGISTER with digest (401/407, stale=true),
 * refresh before expiry honouring the granted expires, 423 Min-Expires, backoff with jitter on
 * failure, re-register when the line's flow comes back, unregister on shutdown.
 */
export class Registerer extends EventEmitter<RegistrationEvents> {
  readonly #port: RegistrationPort;
  readonly #options: RegistrationOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #retry: RegistrationRetryPolicy;
  readonly #random: () => number;
  readonly #digest: DigestClient | undefined;
  readonly #callId = randomToken(12);
  readonly #fromTag = randomToken(6);
  #cseq = 1;
  #state: RegistrationState = "idle";
  #expiresS: number;
  #failures = 0;
  #timer: Timer | undefined;
  /** Bumped whenever a running attempt must be abandoned (flow change, stop). */
  #generation = 0;
  #grantedExpiresS: number | undefined;
  #lastError: RegistrationError | undefined;

  constructor(
    port: RegistrationPort,
    options: RegistrationOptions,
    clock: Clock = systemClock,
    logger?: Logger,
  ) {
    super();
    this.#port = port;
    this.#options = options;
    this.#clock = clock;
    this.#log = logger ?? silentLogger();
    this.#retry = options.retry ?? defaultRegistrationRetryPolicy;
    this.#random = options.random ?? Math.random;
    this.#expiresS = options.expiresS ?? 3600;
    this.#digest =
      options.password === undefined
        ? undefined
        : new DigestClient({
            username: options.username ?? userOf(options.aor),
            password: options.password,
            realmOverride: options.realmOverride,
          });
  }

  get state(): RegistrationState {
    return this.#state;
  }

  /** Registered (or refreshing a live binding): for health checks. */
  get isRegistered(): boolean {
    return this.#state === "registered" || this.#state === "refreshing";
  }

  get grantedExpiresS(): number | undefined {
    return this.#grantedExpiresS;
  }

  get lastError(): RegistrationError | undefined {
    return this.#lastError;
  }

  /** Registers now (also retries after `failed`). */
  start(): void {
    if (this.#state === "stopped" || this.#state === "unregistering") return;
    this.#attempt();
  }

  /** The line's flow is (again) open: RFC 5626 4.4.1 register over the new flow at once. */
  flowUp(): void {
    if (this.#state === "stopped" || this.#state === "unregistering" || this.#state === "failed") return;
    if (this.#state === "idle") return;
    this.#failures = 0;
    this.#attempt();
  }

  /** The line's flow dropped: the binding over it is gone; wait for flowUp. */
  flowDown(): void {
    if (this.#state === "stopped" || this.#state === "unregistering" || this.#state === "failed") return;
    if (this.#state === "idle") return;
    this.#generation++;
    this.#timer?.cancel();
    this.#transition("waiting-flow");
  }

  /** Removes the binding (RFC 3261 10.2.2: expires=0) and stops. Never rejects. */
  async unregister(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "unregistering") return;
    const wasBound = this.isRegistered;
    this.#generation++;
    this.#timer?.cancel();
    this.#transition("unregistering");
    const binding = this.#port.binding();
    if (wasBound && binding !== undefined) {
      try {
        await this.#exchange(binding, 0, this.#generation);
      } catch (error) {
        this.#log.debug({ err: error }, "unregister failed");
      }
    }
    this.#transition("stopped");
  }

  /** Stops timers without unregistering. */
  stop(): void {
    this.#generation++;
    this.#timer?.cancel();
    if (this.#state !== "stopped") this.#transition("stopped");
  }

  #attempt(): void {
    this.#timer?.cancel();
    const generation = ++this.#generation;
    const binding = this.#port.binding();
    if (binding === undefined) {
      this.#transition("waiting-flow");
      return;
    }
    this.#transition(this.isRegistered ? "refreshing" : "registering");
    this.#exchange(binding, this.#expiresS, generation).then(
      (response) => {
        if (response !== undefined) this.#onFinal(response, binding, generation);
      },
      (error: unknown) => {
        if (generation !== this.#generation) return;
        this.#log.warn({ err: error }, "register attempt failed");
        this.#scheduleRetry(new RegistrationError("sip_registration_transport", 503, "register send failed"));
      },
    );
  }

  /**
   * One REGISTER exchange, answering digest challenges (RFC 3261 22.2) and 423 (10.2.8: "the UA MAY
   * retry the registration with an expiration interval ... equal to or greater than" Min-Expires).
   * Resolves with the final response, or undefined when superseded.
   */
  async #exchange(
    binding: RegistrationBinding,
    expiresS: number,
    generation: number,
  ): Promise<SipResponse | undefined> {
    let auth: AuthorizationHeader | undefined;
    let expires = expiresS;
    for (let round = 0; ; round++) {
      const request = this.#build(binding, expires, auth);
      const response = await this.#port.send(request, binding);
      if (generation !== this.#generation) return undefined;
      if (round >= 4) return response;
      if ((response.status === 401 || response.status === 407) && this.#digest !== undefined) {
        const next = this.#digest.authorize(
          response,
          { method: "REGISTER", uri: formatUri(request.uri) },
          { alreadyAuthorized: auth !== undefined },
        );
        if (next === undefined) return response;
        auth = next;
        continue;
      }
      if (response.status === 423 && expires > 0) {
        const minExpires = Number(response.headers.get("Min-Expires")?.trim());
        if (!Number.isInteger(minExpires) || minExpires <= expires) return response;
        expires = minExpires;
        this.#expiresS = minExpires;
        continue;
      }
      return response;
    }
  }

  #onFinal(response: SipResponse, binding: RegistrationBinding, generation: number): void {
    if (generation !== this.#generation) return;
    const status = response.status;
    if (status >= 200 && status < 300) {
      const expiresS = grantedExpires(response, binding.contact, this.#expiresS);
      this.#failures = 0;
      this.#grantedExpiresS = expiresS;
      this.#lastError = undefined;
      this.#transition("registered");
      this.emit("registered", { expiresS, contact: binding.contact });
      this.#timer = this.#clock.setTimer(refreshDelayMs(expiresS), () => this.#attempt());
      return;
    }
    if (status === 401 || status === 407) {
      // RFC 7616 3.3: a challenge to credentials we just sent, without stale=true: the password is wrong.
      const error = new RegistrationError("sip_auth_failed", status, "registrar refused the credentials");
      this.#lastError = error;
      this.#transition("failed");
      this.emit("error", error, undefined);
      return;
    }
    if (status === 408 || status === 503) {
      this.#port.reportHopFailure?.(binding);
      const code = status === 408 ? "sip_registration_timeout" : "sip_registration_transport";
      this.#scheduleRetry(new RegistrationError(code, status, `register failed with ${status}`));
      return;
    }
    this.#scheduleRetry(
      new RegistrationError("sip_registration_rejected", status, `registrar answered ${status}`),
    );
  }

  #scheduleRetry(error: RegistrationError): void {
    const delayMs = registrationRetryDelayMs(this.#retry, this.#failures, this.#random);
    this.#failures++;
    this.#lastError = error;
    this.#transition("retrying");
    this.emit("error", error, delayMs);
    this.#timer = this.#clock.setTimer(delayMs, () => this.#attempt());
  }

  #build(binding: RegistrationBinding, expiresS: number, auth: AuthorizationHeader | undefined): SipRequest {
    const via = withViaParam(binding.via, "branch", makeBranch(randomToken(8)));
    let contactParams = [{ name: "expires", value: String(expiresS) }];
    if (binding.outbound) {
      // RFC 5626 4.2.1: "+sip.instance" and "reg-id" on each Contact of a REGISTER over a flow.
      contactParams = [
        ...contactParams,
        { name: "+sip.instance", value: quote(`<${this.#options.instanceId}>`) },
        { name: "reg-id", value: String(this.#options.regId ?? 1) },
      ];
    }
    const contact: NameAddr = { ...binding.contact, params: [...binding.contact.params, ...contactParams] };
    const headers: [string, string][] = [
      ["Expires", String(expiresS)],
      ["Allow", allowedMethods],
    ];
    if (this.#options.userAgent !== undefined) headers.push(["User-Agent", this.#options.userAgent]);
    if (auth !== undefined) headers.push([auth.name, auth.value]);
    // RFC 3261 10.2: To and From carry the AOR; Call-ID constant and CSeq incremented per REGISTER.
    return createRequest({
      method: "REGISTER",
      uri: this.#options.registrarUri,
      via,
      from: withTag(this.#options.aor, this.#fromTag),
      to: this.#options.aor,
      callId: this.#callId,
      cseq: this.#cseq++,
      contact,
      headers,
    });
  }

  #transition(to: RegistrationState): void {
    const from = this.#state;
    if (from === to) return;
    if (!transitions[from].includes(to)) {
      this.#log.error({ from, to }, "forbidden registration state transition");
      return;
    }
    this.#state = to;
    this.emit("state", to, from);
  }
}

function userOf(aor: NameAddr): string {
  return aor.uri.kind === "sip" ? (aor.uri.user ?? "") : "";
}

/**
 * RFC 3261 10.2.4: the 200 lists the current bindings; our Contact's "expires" parameter (else the
 * Expires header) is the granted lifetime.
 */
function grantedExpires(response: SipResponse, ours: NameAddr, requestedS: number): number {
  const contacts = getContacts(response);
  if (contacts !== undefined && contacts !== "*") {
    const mine =
      contacts.find((c) => sameBinding(c, ours)) ?? (contacts.length === 1 ? contacts[0] : undefined);
    const value = mine === undefined ? undefined : getParam(mine.params, "expires");
    if (value !== undefined && /^\d{1,10}$/.test(value)) return Number(value);
  }
  return getExpires(response) ?? requestedS;
}

function sameBinding(a: NameAddr, b: NameAddr): boolean {
  if (a.uri.kind !== "sip" || b.uri.kind !== "sip") return false;
  return (
    a.uri.host.toLowerCase() === b.uri.host.toLowerCase() &&
    (a.uri.port ?? 5060) === (b.uri.port ?? 5060) &&
    a.uri.user === b.uri.user
  );
}
