/**
 * Adapts the SIP user agent (src/sip/ua: SipUserAgent, SipSession) to telephony's signaling port.
 * Listeners are attached the moment a session exists, and what happens before the Call installs its
 * handlers (a CANCEL while media opens) is replayed to it, so no event is lost.
 */

import { RingagentError } from "../shared/index.js";
import {
  CallFailedError,
  formatUri,
  getCSeq,
  type IncomingOffer,
  type SessionBody,
  type SessionEndReason,
  type InDialogInfo as SipInDialogInfo,
  type SipSession,
  type TransferProgress as SipTransferProgress,
  type SipUserAgent,
} from "../sip/index.js";
import type { SessionTimerAnswer } from "./session-timer.js";
import type {
  IncomingSignaling,
  InviteOptions,
  OutgoingInviteResult,
  ReferOptions,
  SignalingBody,
  SignalingEnd,
  SignalingEndKind,
  SignalingHandlers,
  SignalingLine,
  SignalingSession,
  SipWarning,
  TransferResult,
} from "./signaling-port.js";

function endKind(reason: SessionEndReason): SignalingEndKind {
  switch (reason.kind) {
    case "remote_bye":
    case "cancelled":
    case "ack_timeout":
    case "dialog_gone":
    case "shutdown":
      return reason.kind;
    case "local_bye":
    case "rejected":
      return "shutdown";
  }
}

/** A SIP status carried by a failure the adapter raises (statusOf() reads it). */
export class SignalingStatusError extends RingagentError {
  readonly status: number;
  constructor(code: string, status: number) {
    super(code, `signaling failed with ${status}`);
    this.status = status;
  }
}

export class SipSessionAdapter implements SignalingSession {
  readonly sip: SipSession;
  #handlers: SignalingHandlers | undefined;
  #pendingEnd: SignalingEnd | undefined;

  constructor(session: SipSession) {
    this.sip = session;
    session.on("ended", (reason) => {
      const end: SignalingEnd = {
        kind: endKind(reason),
        ...(reason.status !== undefined ? { status: reason.status } : {}),
      };
      if (this.#handlers) this.#handlers.ended(end);
      else this.#pendingEnd = end;
    });
    session.on("reinvite", (offer: IncomingOffer) => {
      const handlers = this.#handlers;
      // Not ours yet (the call is still being set up): RFC 3261 14.2 "491 Request Pending".
      if (!handlers) {
        offer.reject(491);
        return;
      }
      handlers.offer({
        method: offer.method,
        offer: offer.offer,
        accept: (answer) => offer.accept(answer),
        // The SIP layer's reject takes a status only: the Warning is not sent (see report).
        reject: (status) => offer.reject(status),
      });
    });
    session.on("info", (info: SipInDialogInfo) => {
      this.#handlers?.info({ method: info.method, body: info.body });
    });
  }

  get callId(): string {
    return this.sip.callId;
  }

  get remoteUri(): string {
    return formatUri(this.sip.dialog.remoteUri.uri);
  }

  get remoteUser(): string | undefined {
    const uri = this.sip.dialog.remoteUri.uri;
    return uri.kind === "sip" ? uri.user : undefined;
  }

  setHandlers(handlers: SignalingHandlers): void {
    this.#handlers = handlers;
    const pending = this.#pendingEnd;
    this.#pendingEnd = undefined;
    if (pending) handlers.ended(pending);
    else if (this.sip.state === "ended" && this.sip.endReason) {
      handlers.ended({ kind: endKind(this.sip.endReason) });
    }
  }

  reoffer(sdp: string, method: "INVITE" | "UPDATE" = "INVITE"): Promise<SignalingBody | undefined> {
    return method === "UPDATE" ? this.sip.update(sdp) : this.sip.reinvite(sdp);
  }

  async sendInfo(body: SignalingBody): Promise<void> {
    await this.sip.info({ contentType: body.contentType, body: body.body });
  }

  async refer(target: string, options: ReferOptions = {}): Promise<TransferResult> {
    const onProgress = (p: SipTransferProgress): void => options.onProgress?.(p);
    this.sip.on("transferProgress", onProgress);
    try {
      const referTo = options.replaces ? replacesTarget(options.replaces) : target;
      return await this.sip.refer(referTo, options.signal ? { signal: options.signal } : {});
    } finally {
      this.sip.off("transferProgress", onProgress);
    }
  }

  bye(): Promise<void> {
    return this.sip.bye();
  }
}

/**
 * RFC 3891 3 / RFC 3515 2.1: Refer-To the consulted party's contact with an embedded Replaces header
 * naming the consult dialog as the target sees it (to-tag = its tag, from-tag = ours).
 */
function replacesTarget(consult: SignalingSession): string {
  if (!(consult instanceof SipSessionAdapter)) {
    throw new RingagentError("call_bad_consult", "the consult call is not a SIP session");
  }
  const dialog = consult.sip.dialog;
  const replaces = `${dialog.id.callId};to-tag=${dialog.id.remoteTag};from-tag=${dialog.id.localTag}`;
  return `<${formatUri(dialog.remoteTarget)}?Replaces=${encodeURIComponent(replaces)}>`;
}

export class IncomingSipSessionAdapter extends SipSessionAdapter implements IncomingSignaling {
  #rang = false;

  get fromTag(): string {
    return this.sip.dialog.id.remoteTag;
  }

  get cseq(): number {
    const request = this.sip.request;
    return request ? (getCSeq(request)?.seq ?? 0) : 0;
  }

  get offer(): SignalingBody | undefined {
    return this.sip.remoteOffer;
  }

  /** Session-Expires is not surfaced yet: the SIP layer cannot add headers to our 2xx (see report). */
  get sessionTimer(): undefined {
    return undefined;
  }

  ring(): void {
    if (this.#rang) return;
    this.#rang = true;
    this.sip.progress(180);
  }

  accept(
    sdp: string,
    _options?: { readonly sessionTimer?: SessionTimerAnswer },
  ): Promise<SignalingBody | undefined> {
    return new Promise((resolve, reject) => {
      const onConfirmed = (answer: SessionBody | undefined): void => {
        this.sip.off("ended", onEnded);
        resolve(answer);
      };
      const onEnded = (reason: SessionEndReason): void => {
        this.sip.off("confirmed", onConfirmed);
        reject(new SignalingStatusError(`sip_${reason.kind}`, reason.status ?? 0));
      };
      this.sip.once("confirmed", onConfirmed);
      this.sip.once("ended", onEnded);
      try {
        this.sip.accept(sdp);
      } catch (error) {
        this.sip.off("confirmed", onConfirmed);
        this.sip.off("ended", onEnded);
        reject(error);
      }
    });
  }

  reject(status: number, _warning?: SipWarning): void {
    this.sip.reject(status);
  }
}

/** One line's SipUserAgent as a SignalingLine. */
export class SipLineAdapter implements SignalingLine {
  readonly name: string;
  readonly ua: SipUserAgent;

  constructor(name: string, ua: SipUserAgent) {
    this.name = name;
    this.ua = ua;
  }

  onIncoming(handler: (session: IncomingSignaling) => void): void {
    this.ua.on("incomingCall", (session) => handler(new IncomingSipSessionAdapter(session)));
  }

  async invite(target: string, sdp: string, options: InviteOptions = {}): Promise<OutgoingInviteResult> {
    try {
      const session = await this.ua.invite(target, {
        body: sdp,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p) => options.onProgress?.({ status: p.status, body: p.body }),
      });
      return { session: new SipSessionAdapter(session), answer: session.remoteBody, sessionTimer: undefined };
    } catch (error) {
      if (error instanceof CallFailedError) throw new SignalingStatusError(error.code, error.status);
      throw error;
    }
  }
}
