/**
 * Adapts the SIP user agent (src/sip/ua: SipUserAgent, SipSession) to telephony's signaling port.
 * Listeners are attached the moment a session exists, and what happens before the Call installs its
 * handlers (a CANCEL while media opens) is replayed to it, so no event is lost.
 */

import { RingagentError } from "../shared/index.js";
import {
  CallFailedError,
  type ExtraHeaders,
  formatSessionExpires,
  formatUri,
  formatWarning,
  getCSeq,
  hasOptionTag,
  type IncomingOffer,
  parseMinSe,
  parseSessionExpires,
  type SessionBody,
  type SessionEndReason,
  type InDialogInfo as SipInDialogInfo,
  type SipSession,
  type TransferProgress as SipTransferProgress,
  type SipUserAgent,
  sessionTimerResponseHeaders,
} from "../sip/index.js";
import type { Refresher, SessionTimerAnswer, SessionTimerRequest } from "./session-timer.js";
import type {
  IncomingSignaling,
  InviteOptions,
  OutgoingInviteResult,
  ReferOptions,
  RejectDetails,
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

/** RFC 3261 20.43 warn-agent: a pseudonym, so no host or address of ours is disclosed. */
const warnAgent = "ringagent";

function warningHeaders(warning: SipWarning | undefined): ExtraHeaders {
  return warning === undefined ? [] : [["Warning", formatWarning(warning.code, warnAgent, warning.text)]];
}

export class SipSessionAdapter implements SignalingSession {
  readonly sip: SipSession;
  #handlers: SignalingHandlers | undefined;
  #pendingEnd: SignalingEnd | undefined;
  /** The RFC 4028 session timer agreed for this dialog and which side we are in its terms. */
  #timer: { answer: SessionTimerAnswer; weAre: Refresher } | undefined;

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
      const refresh = this.#refreshResponseHeaders(offer);
      handlers.offer({
        method: offer.method,
        offer: offer.offer,
        accept: (answer) => offer.accept(answer, { headers: refresh }),
        reject: (status, warning) => offer.reject(status, { headers: warningHeaders(warning) }),
      });
    });
    session.on("answer", (answer: SessionBody) => {
      this.#handlers?.ackAnswer?.(answer);
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

  /** @internal Records the session timer agreed when the dialog was set up. */
  setSessionTimer(answer: SessionTimerAnswer, weAre: Refresher): void {
    this.#timer = { answer, weAre };
  }

  reoffer(sdp: string, method: "INVITE" | "UPDATE" = "INVITE"): Promise<SignalingBody | undefined> {
    const options = { headers: this.#refreshRequestHeaders() };
    return method === "UPDATE" ? this.sip.update(sdp, options) : this.sip.reinvite(sdp, options);
  }

  /**
   * RFC 4028 7.4: a re-INVITE/UPDATE in a dialog with session timers carries Session-Expires with
   * the current interval; "the refresher parameter ... SHOULD be 'uac' if the element sending the
   * request is the refresher" (the request's sender is the UAC of that transaction).
   */
  #refreshRequestHeaders(): ExtraHeaders {
    const timer = this.#timer;
    if (timer === undefined) return [];
    const weRefresh = timer.answer.refresher === timer.weAre;
    return [
      [
        "Session-Expires",
        formatSessionExpires({ deltaS: timer.answer.intervalS, refresher: weRefresh ? "uac" : "uas" }),
      ],
      ["Supported", "timer"],
    ];
  }

  /**
   * RFC 4028 9 applied to a refresh from the peer: its Session-Expires is answered in the 200 (with
   * a refresher chosen as for an initial request), so the peer keeps its timer running.
   */
  #refreshResponseHeaders(offer: IncomingOffer): ExtraHeaders {
    const requested = parseSessionExpires(offer.headers);
    if (requested === undefined) return [];
    const supports = hasOptionTag(offer.headers, "Supported", "timer");
    const refresher = !supports ? "uas" : (requested.refresher ?? "uac");
    return sessionTimerResponseHeaders({ deltaS: requested.deltaS, refresher }, supports);
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

  /** Session-Expires / Min-SE / Supported: timer of the INVITE (RFC 4028), when it asked for timers. */
  get sessionTimer(): SessionTimerRequest | undefined {
    const request = this.sip.request;
    if (request === undefined) return undefined;
    const requested = parseSessionExpires(request.headers);
    if (requested === undefined) return undefined;
    const minSeS = parseMinSe(request.headers);
    return {
      intervalS: requested.deltaS,
      ...(minSeS !== undefined ? { minSeS } : {}),
      ...(requested.refresher !== undefined ? { refresher: requested.refresher } : {}),
      uacSupportsTimer: hasOptionTag(request.headers, "Supported", "timer"),
    };
  }

  ring(): void {
    if (this.#rang) return;
    this.#rang = true;
    this.sip.progress(180);
  }

  accept(
    sdp: string,
    options: { readonly sessionTimer?: SessionTimerAnswer } = {},
  ): Promise<SignalingBody | undefined> {
    const timer = options.sessionTimer;
    let headers: ExtraHeaders = [];
    if (timer !== undefined) {
      const supports = this.sessionTimer?.uacSupportsTimer ?? false;
      headers = sessionTimerResponseHeaders(
        { deltaS: timer.intervalS, refresher: timer.refresher },
        supports,
      );
      this.setSessionTimer(timer, "uas");
    }
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
        this.sip.accept(sdp, { headers });
      } catch (error) {
        this.sip.off("confirmed", onConfirmed);
        this.sip.off("ended", onEnded);
        reject(error);
      }
    });
  }

  reject(status: number, warning?: SipWarning, details?: RejectDetails): void {
    const minSe: ExtraHeaders =
      status === 422 && details?.minSeS !== undefined ? [["Min-SE", String(details.minSeS)]] : [];
    this.sip.reject(status, { headers: [...warningHeaders(warning), ...minSe] });
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
    const expiresS = options.sessionExpiresS;
    // RFC 4028 7.1: the UAC asks with Session-Expires (no refresher: the UAS chooses) and Supported: timer.
    const headers: ExtraHeaders =
      expiresS === undefined
        ? []
        : [
            ["Session-Expires", String(expiresS)],
            ["Supported", "timer"],
          ];
    try {
      const session = await this.ua.invite(target, {
        body: sdp,
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (p) => options.onProgress?.({ status: p.status, body: p.body }),
      });
      const adapter = new SipSessionAdapter(session);
      const sessionTimer = expiresS === undefined ? undefined : outboundTimer(session);
      if (sessionTimer !== undefined) adapter.setSessionTimer(sessionTimer, "uac");
      return { session: adapter, answer: session.remoteBody, sessionTimer };
    } catch (error) {
      if (error instanceof CallFailedError) throw new SignalingStatusError(error.code, error.status);
      throw error;
    }
  }
}

/**
 * RFC 4028 7.2: the session timer of an outbound call from its 2xx. "If the 2xx response did not
 * contain a Session-Expires header field, there is no session expiration"; a missing refresher
 * means the UAS does not refresh, so we (the UAC) do.
 */
function outboundTimer(session: SipSession): SessionTimerAnswer | undefined {
  const response = session.answerResponse;
  if (response === undefined) return undefined;
  const granted = parseSessionExpires(response.headers);
  if (granted === undefined) return undefined;
  return { intervalS: granted.deltaS, refresher: granted.refresher ?? "uac" };
}
