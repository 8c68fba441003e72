/**
 * The SIP side of a call as telephony sees it: a small port that an adapter over the SIP user agent
 * (src/sip/ua) satisfies, and that in-memory fakes satisfy in tests. Bodies are opaque here; SDP is
 * parsed only by media's parser. Every URI and user below is caller PII: never log it.
 */
import type { SessionTimerAnswer, SessionTimerRequest } from "./session-timer.js";

export interface SignalingBody {
  readonly contentType: string;
  readonly body: Buffer;
}

/** Why the SIP layer ended a dialog on its own (not by our `bye()`). */
export type SignalingEndKind =
  /** BYE from the peer. */
  | "remote_bye"
  /** CANCEL before we answered (RFC 3261 9.2). */
  | "cancelled"
  /** No ACK for our 2xx (RFC 3261 13.3.1.4). */
  | "ack_timeout"
  /** 481/408 to an in-dialog request, or the flow died for good. */
  | "dialog_gone"
  | "shutdown";

export interface SignalingEnd {
  readonly kind: SignalingEndKind;
  readonly status?: number;
}

/** An offer received inside the dialog (re-INVITE or UPDATE, RFC 3261 14.2 / RFC 3311). */
export interface InDialogOffer {
  readonly method: "INVITE" | "UPDATE";
  /** Undefined for a re-INVITE without a body: our 200 carries an offer, the ACK the answer. */
  readonly offer: SignalingBody | undefined;
  accept(answer: string): void;
  reject(status: number, warning?: SipWarning): void;
}

/** INFO, NOTIFY or MESSAGE received in the dialog (already answered 200 by the SIP layer). */
export interface InDialogInfo {
  readonly method: "INFO" | "NOTIFY" | "MESSAGE";
  readonly body: SignalingBody | undefined;
}

/** RFC 3261 20.43 Warning header: `<code> <agent> "<text>"`. */
export interface SipWarning {
  readonly code: number;
  readonly text: string;
}

export type TransferProgressState = "trying" | "ringing" | "progress" | "success" | "failure";

export interface TransferProgress {
  readonly state: TransferProgressState;
  /** Status from the NOTIFY sipfrag, or of the REFER itself when it failed. */
  readonly status: number;
}

export interface TransferResult {
  readonly outcome: "success" | "failure";
  readonly status: number;
}

export interface SignalingHandlers {
  ended(end: SignalingEnd): void;
  offer(offer: InDialogOffer): void;
  info(info: InDialogInfo): void;
  /**
   * The ACK of an offerless re-INVITE carried the peer's answer to the offer we put in our 200
   * (RFC 3261 14.2 / RFC 3264): apply it to media.
   */
  ackAnswer?(answer: SignalingBody): void;
}

/** Extra details of a rejection. */
export interface RejectDetails {
  /** RFC 4028 6: a 422 carries Min-SE with the smallest interval we accept. */
  readonly minSeS?: number;
}

export interface ReferOptions {
  /** Attended transfer: the dialog the target should replace (RFC 3891). */
  readonly replaces?: SignalingSession;
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

/** A dialog (or a dialog being set up) that carries one call. */
export interface SignalingSession {
  /** Call-ID (not PII; useful for correlation). */
  readonly callId: string;
  /** The remote party's URI (PII). */
  readonly remoteUri: string;
  /** The remote party's user part, e.g. a phone number (PII). */
  readonly remoteUser: string | undefined;
  /** Installs the call's handlers; events before this are queued by the adapter or dropped. */
  setHandlers(handlers: SignalingHandlers): void;
  /** Sends an offer in a re-INVITE (or UPDATE) and resolves with the answer body; rejects with the status. */
  reoffer(sdp: string, method?: "INVITE" | "UPDATE"): Promise<SignalingBody | undefined>;
  sendInfo(body: SignalingBody): Promise<void>;
  /** REFER (RFC 3515) with progress from NOTIFY; resolves with the final outcome. */
  refer(target: string, options?: ReferOptions): Promise<TransferResult>;
  /** Sends BYE (or CANCEL/final failure when not yet established) and resolves when done. */
  bye(): Promise<void>;
}

/** An INVITE received out of dialog, not yet answered. */
export interface IncomingSignaling extends SignalingSession {
  /** Call-ID, From tag and CSeq number: RFC 3261 8.2.2.2 merged-request detection. */
  readonly fromTag: string;
  readonly cseq: number;
  /** The offer, or undefined for a late-offer INVITE (we offer in the 200, the ACK answers). */
  readonly offer: SignalingBody | undefined;
  /** Session-Expires/Min-SE from the INVITE (RFC 4028), when present. */
  readonly sessionTimer: SessionTimerRequest | undefined;
  /** 180 Ringing (idempotent). */
  ring(): void;
  /**
   * 200 OK with our SDP; resolves with the ACK's body (the answer to a late offer) once it arrives;
   * rejects when the ACK never comes or the caller cancelled first.
   */
  accept(
    sdp: string,
    options?: { readonly sessionTimer?: SessionTimerAnswer },
  ): Promise<SignalingBody | undefined>;
  /** A final failure response (486, 488 with Warning, 422 with Min-SE, 603...). */
  reject(status: number, warning?: SipWarning, details?: RejectDetails): void;
}

export interface InviteProgress {
  readonly status: number;
  /** 183 Session Progress may carry an early-media answer. */
  readonly body: SignalingBody | undefined;
}

export interface InviteOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: InviteProgress) => void;
  /** Ask for session timers (RFC 4028) with this interval. */
  readonly sessionExpiresS?: number;
}

export interface OutgoingInviteResult {
  readonly session: SignalingSession;
  readonly answer: SignalingBody | undefined;
  /** Session timer negotiated in the 2xx, if any. */
  readonly sessionTimer: SessionTimerAnswer | undefined;
}

/** Thrown (or rejected) by `invite()` when no dialog was established; `status` is the final SIP status. */
export interface InviteFailure {
  readonly status: number;
}

/** One line's SIP user agent as telephony needs it. */
export interface SignalingLine {
  readonly name: string;
  /** Our SIP host as others reach us (for the SDP c= line when media has no better idea). */
  onIncoming(handler: (session: IncomingSignaling) => void): void;
  /** Sends an INVITE with our offer; resolves when a 2xx arrives (ACK sent), rejects with a failure status. */
  invite(target: string, sdp: string, options?: InviteOptions): Promise<OutgoingInviteResult>;
}

export function sdpBody(sdp: string): SignalingBody {
  return { contentType: "application/sdp", body: Buffer.from(sdp, "utf8") };
}

export function isSdp(body: SignalingBody | undefined): body is SignalingBody {
  return body !== undefined && body.contentType.toLowerCase().split(";")[0]?.trim() === "application/sdp";
}
