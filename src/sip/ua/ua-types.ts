import type { Clock, Logger } from "../../shared/index.js";
import { RingagentError } from "../../shared/index.js";
import type { SipHeaders } from "../message/sip-headers.js";
import type { RegistrationRetryPolicy } from "../registration/registration-types.js";
import type { TransactionTimers } from "../transaction/transaction-types.js";
import type { OutboundProxyPolicy } from "../transport/next-hop.js";
import type { ListenSpec, TransportLayerOptions } from "../transport/transport-layer-types.js";

/** A message body as the SIP layer sees it: opaque bytes and their type (SDP is never parsed here). */
export interface SessionBody {
  readonly contentType: string;
  readonly body: Buffer;
}

/** A body to send: a string is `application/sdp`. */
export type BodyInput = string | { readonly contentType: string; readonly body: string | Buffer };

export function toSessionBody(input: BodyInput): SessionBody {
  if (typeof input === "string") return { contentType: "application/sdp", body: Buffer.from(input, "utf8") };
  return {
    contentType: input.contentType,
    body: typeof input.body === "string" ? Buffer.from(input.body, "utf8") : input.body,
  };
}

/** The account a line registers and places calls as. */
export interface SipAccount {
  /** Address of record, e.g. `sip:agent@example.com`. */
  readonly aor: string;
  /** Digest username (default: the AOR's user part). */
  readonly username?: string;
  readonly password?: string;
  readonly displayName?: string;
  /** Hash with this realm instead of the challenge's (RingCentral). */
  readonly realmOverride?: string;
}

export interface InboundPolicyOptions {
  /** Accept out-of-dialog requests from any source (the `local` dev line). Default false. */
  readonly allowAny?: boolean;
  /** Trunk peers allowed to send INVITEs, as CIDRs (`10.0.0.0/8`, `127.0.0.1/32`, `::1/128`). */
  readonly allowedCidrs?: readonly string[];
  /** Trust the line's outbound proxy addresses and its flow (default true). */
  readonly trustProxy?: boolean;
  /** Trunk mode: challenge initial INVITEs with digest (RFC 3261 22.1). */
  readonly challenge?: {
    readonly realm: string;
    /** HMAC key for stateless nonces (>= 16 random bytes). */
    readonly secret: Buffer;
    readonly passwordOf: (username: string) => string | undefined;
  };
}

export interface RegistrationConfig {
  /** Default true when an account with a password and an outbound proxy are configured. */
  readonly enabled?: boolean;
  readonly expiresS?: number;
  readonly retry?: RegistrationRetryPolicy;
  /** Request-URI of REGISTER (default: the AOR's domain). */
  readonly registrarUri?: string;
}

export interface SipUserAgentOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly transport?: TransportLayerOptions;
  /** Sockets to listen on (a UDP line needs one; a stream line can rely on its outbound flow). */
  readonly listen?: readonly ListenSpec[];
  readonly account?: SipAccount;
  /** The line's registrar/proxy (primary + backup). Stream transports keep a flow open to it. */
  readonly outboundProxy?: OutboundProxyPolicy;
  readonly registration?: RegistrationConfig;
  readonly inbound?: InboundPolicyOptions;
  readonly timers?: Partial<TransactionTimers>;
  /** Send 180 Ringing as soon as an INVITE is accepted for processing (default true). */
  readonly autoRinging?: boolean;
  /** `urn:uuid:...` for RFC 5626 +sip.instance (default: a random UUID per UA). */
  readonly instanceId?: string;
  readonly userAgent?: string;
}

export type SessionEndKind =
  | "remote_bye"
  | "local_bye"
  | "cancelled"
  | "rejected"
  | "ack_timeout"
  | "dialog_gone"
  | "shutdown";

export interface SessionEndReason {
  readonly kind: SessionEndKind;
  /** SIP status involved (e.g. the reject status, or 481/408 that killed the dialog). */
  readonly status?: number;
}

/** An offer received inside the dialog (re-INVITE or UPDATE, RFC 3261 14.2 / RFC 3311). */
export interface IncomingOffer {
  readonly method: "INVITE" | "UPDATE";
  /** Undefined for a re-INVITE without a body: our 200 carries the offer, the ACK the answer (`answer` event). */
  readonly offer: SessionBody | undefined;
  /** The request's headers (Session-Expires of a refresh, RFC 4028). */
  readonly headers: SipHeaders;
  /** 200 with `answer`; `options.headers` go into the response. */
  accept(answer: BodyInput, options?: { readonly headers?: readonly (readonly [string, string])[] }): void;
  /** A failure (488 by default); `options.headers` carry e.g. a Warning (RFC 3261 20.43). */
  reject(status?: number, options?: { readonly headers?: readonly (readonly [string, string])[] }): void;
}

/** INFO, MESSAGE or NOTIFY received in the dialog (already answered 200). */
export interface InDialogInfo {
  readonly method: "INFO" | "MESSAGE" | "NOTIFY";
  readonly body: SessionBody | undefined;
  readonly headers: SipHeaders;
}

/** A REFER received in the dialog (already answered 202, RFC 3515 2.4.2). */
export interface IncomingRefer {
  /** The Refer-To URI as text (contains PII: never log it). */
  readonly target: string;
  readonly referredBy: string | undefined;
  /** Reports progress with a NOTIFY carrying message/sipfrag (RFC 3515 2.4.4); >= 200 ends it. */
  notify(status: number, reason?: string): void;
}

export type TransferState = "trying" | "ringing" | "progress" | "success" | "failure";

export interface TransferProgress {
  readonly state: TransferState;
  /** Status code from the NOTIFY sipfrag, or of the REFER itself when it failed. */
  readonly status: number;
}

export interface TransferResult {
  readonly outcome: "success" | "failure";
  readonly status: number;
}

export type CallFailureReason =
  | "busy"
  | "no_answer"
  | "rejected"
  | "timeout"
  | "cancelled"
  | "auth_failed"
  | "transport"
  | "unavailable";

/** An outbound INVITE that did not establish a call; `status` is the final SIP status. */
export class CallFailedError extends RingagentError {
  readonly reason: CallFailureReason;
  readonly status: number;

  constructor(reason: CallFailureReason, status: number) {
    super(`call_${reason}`, `call failed: ${reason} (${status})`, {
      retryable: reason === "timeout" || reason === "transport" || reason === "unavailable",
    });
    this.reason = reason;
    this.status = status;
  }
}

/** An in-dialog request (re-INVITE, UPDATE, INFO...) got a final failure. */
export class SipRequestError extends RingagentError {
  readonly status: number;

  constructor(method: string, status: number) {
    super("sip_request_failed", `${method} failed with ${status}`, { retryable: status === 491 });
    this.status = status;
  }
}

/** Maps an INVITE's final failure status to a typed reason. */
export function callFailureReason(status: number): CallFailureReason {
  if (status === 486 || status === 600) return "busy";
  if (status === 480) return "no_answer";
  if (status === 408) return "timeout";
  if (status === 487) return "cancelled";
  if (status === 401 || status === 407) return "auth_failed";
  if (status === 503 || status === 502 || status === 504) return "unavailable";
  return "rejected";
}

export interface UaCounters {
  /** Out-of-dialog requests from sources the policy does not allow (answered 403, not processed). */
  forbiddenSources: number;
  /** In-dialog requests matching no dialog (answered 481). */
  unknownDialog: number;
  /** INVITEs challenged by the trunk digest server. */
  challengedInvites: number;
  incomingCalls: number;
  outgoingCalls: number;
  /** In-dialog requests rejected as out of order (500). */
  outOfOrder: number;
}

export const allowHeaderValue = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, NOTIFY, REFER, UPDATE";
