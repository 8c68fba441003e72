import { RingagentError } from "../../shared/index.js";
import type { NameAddr } from "../message/name-addr.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { Via } from "../message/via-header.js";
import type { SipAddress } from "../transport/transport-types.js";

/**
 * Registration states. idle -> registering -> registered -> refreshing -> registered ...;
 * failures go to retrying (backoff) or failed (credentials refused: no retry storm);
 * unregistering -> stopped on shutdown. "waiting-flow": the line's connection is down.
 */
export type RegistrationState =
  | "idle"
  | "registering"
  | "registered"
  | "refreshing"
  | "retrying"
  | "waiting-flow"
  | "failed"
  | "unregistering"
  | "stopped";

/** Where the REGISTER goes and what it advertises, for the line's current flow. */
export interface RegistrationBinding {
  readonly destination: SipAddress;
  readonly flowId?: string | undefined;
  /** Our Via (branch is replaced per request). */
  readonly via: Via;
  /** Our Contact URI as name-addr, without expires/instance parameters. */
  readonly contact: NameAddr;
  /** Stream transport: add RFC 5626 +sip.instance and reg-id (4.2.1). */
  readonly outbound: boolean;
}

/** What the registerer needs from the user agent (a fake in unit tests). */
export interface RegistrationPort {
  /** The binding for the current flow, or undefined when the line's connection is down. */
  binding(): RegistrationBinding | undefined;
  /** Sends through a client transaction; resolves with the final response (local 408/503 on failure). */
  send(request: SipRequest, binding: RegistrationBinding): Promise<SipResponse>;
  /** RFC 3261 8.1.2 fallback: REGISTER to the current hop failed at the transport/timeout level. */
  reportHopFailure?(binding: RegistrationBinding): void;
}

export interface RegistrationRetryPolicy {
  /** First retry delay (then doubled per consecutive failure). */
  readonly baseMs: number;
  readonly maxMs: number;
  /** Fraction of the delay taken off at random (0..1): delay * (1 - jitter * random()). */
  readonly jitter: number;
}

export const defaultRegistrationRetryPolicy = {
  baseMs: 1_000,
  maxMs: 60_000,
  jitter: 0.2,
} as const satisfies RegistrationRetryPolicy;

export interface RegistrationOptions {
  /** Address of record, e.g. sip:agent@example.com. */
  readonly aor: NameAddr;
  /** Request-URI of REGISTER (RFC 3261 10.2: the registrar's domain, no user part). */
  readonly registrarUri: NameAddr["uri"];
  readonly username?: string;
  readonly password?: string;
  readonly realmOverride?: string;
  /** Requested binding lifetime (default 3600 s). */
  readonly expiresS?: number;
  readonly retry?: RegistrationRetryPolicy;
  /** urn:uuid:... for +sip.instance (RFC 5626 4.1). */
  readonly instanceId: string;
  /** Default 1. */
  readonly regId?: number;
  readonly userAgent?: string;
  readonly random?: () => number;
}

export interface RegistrationEvents {
  state: [state: RegistrationState, previous: RegistrationState];
  registered: [info: { expiresS: number; contact: NameAddr }];
  /** A failure (auth: not retried; others: retried after `retryInMs`). */
  error: [error: RegistrationError, retryInMs: number | undefined];
}

export type RegistrationErrorCode =
  | "sip_auth_failed"
  | "sip_registration_rejected"
  | "sip_registration_timeout"
  | "sip_registration_transport";

/** A failed REGISTER: `status` is the SIP status (408/503 built locally for timeouts/transport). */
export class RegistrationError extends RingagentError {
  readonly status: number;

  constructor(code: RegistrationErrorCode, status: number, message: string) {
    super(code, message, { retryable: code !== "sip_auth_failed" });
    this.status = status;
  }
}
