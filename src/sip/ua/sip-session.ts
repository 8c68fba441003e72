import { EventEmitter } from "node:events";
import { newId, RingagentError } from "../../shared/index.js";
import type { Dialog } from "../dialog/dialog.js";
import { getCSeq } from "../message/message-accessors.js";
import { createResponse, type ExtraHeaders } from "../message/message-builders.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import type { InviteServerTransaction } from "../transaction/invite-server.js";
import type { ServerTransaction } from "../transaction/transaction-layer.js";
import { startTwoXxRetransmission, type TwoXxRetransmitter } from "../transaction/two-xx-retransmitter.js";
import type { InboundMessage } from "../transport/transport-types.js";
import { receiveRefer } from "./refer-receive.js";
import { type ReferWaiter, sendRefer } from "./refer-send.js";
import { bodyOf, sendWithAuth } from "./request-sender.js";
import { receiveOffer, sendOffer } from "./session-modify.js";
import type { UaCore } from "./ua-core.js";
import {
  allowHeaderValue,
  type BodyInput,
  type IncomingOffer,
  type IncomingRefer,
  type InDialogInfo,
  type SessionBody,
  type SessionEndReason,
  SipRequestError,
  type TransferProgress,
  type TransferResult,
  toSessionBody,
} from "./ua-types.js";

/**
 * incoming: INVITE received, not answered; answered: our 2xx sent, waiting for the ACK;
 * established: confirmed (ACK received, or we sent the ACK for an outbound call); ended.
 */
export type SipSessionState = "incoming" | "answered" | "established" | "ended";

export interface SipSessionEvents {
  /** The ACK for our 2xx arrived; `answer` is its body (late offer: the answer to our offer). */
  confirmed: [answer: SessionBody | undefined];
  ended: [reason: SessionEndReason];
  /** The peer sent an offer in a re-INVITE/UPDATE; call accept(answer) or reject(). */
  reinvite: [offer: IncomingOffer];
  /** An ACK for a re-INVITE we answered with an offer carried the answer. */
  answer: [answer: SessionBody];
  info: [info: InDialogInfo];
  refer: [refer: IncomingRefer];
  transferProgress: [progress: TransferProgress];
}

/** Extra headers for a response we send (or a request we originate) in this session. */
export interface SessionResponseOptions {
  readonly headers?: ExtraHeaders;
}

/** Responses still awaiting their ACK, by CSeq number (RFC 3261 13.3.1.4). */
interface PendingAck {
  readonly retransmitter: TwoXxRetransmitter;
  readonly initial: boolean;
}

/**
 * One INVITE usage of a dialog (a call at the SIP level; media is only an opaque body here). Created
 * for an inbound INVITE (direction "inbound") or when an outbound INVITE gets its 2xx.
 */
export class SipSession extends EventEmitter<SipSessionEvents> {
  readonly id = newId();
  readonly direction: "inbound" | "outbound";
  readonly dialog: Dialog;
  /** The offer of the inbound INVITE (undefined: late offer, put ours in accept()). */
  readonly remoteOffer: SessionBody | undefined;
  /** The inbound INVITE (headers such as P-Asserted-Identity, Call-Info are here). */
  readonly request: SipRequest | undefined;
  /** The 2xx that established an outbound session (Session-Expires and the like are here). */
  readonly answerResponse: SipResponse | undefined;
  /** @internal */ readonly core: UaCore;
  /** @internal the flow the dialog runs over (stream transports), reused for requests. */
  flowId: string | undefined;
  /** Last body we sent (offer or answer) and last body the peer sent. */
  localBody: SessionBody | undefined;
  remoteBody: SessionBody | undefined;
  /** @internal RFC 3261 14.1/14.2 glare bookkeeping. */
  outgoingOfferPending = false;
  /** @internal */ incomingOfferPending = false;
  /** @internal the REFER we sent and are following (one at a time). */
  referWaiter: ReferWaiter | undefined;
  #state: SipSessionState;
  #inviteTx: InviteServerTransaction | undefined;
  #inbound: InboundMessage | undefined;
  #pendingAcks = new Map<number, PendingAck>();
  #endReason: SessionEndReason | undefined;
  readonly #reliable: boolean;

  constructor(init: {
    core: UaCore;
    direction: "inbound" | "outbound";
    dialog: Dialog;
    flowId: string | undefined;
    request?: SipRequest;
    answerResponse?: SipResponse;
    inviteTx?: InviteServerTransaction;
    inbound?: InboundMessage;
    localBody?: SessionBody;
    remoteBody?: SessionBody;
    /** Stream transport: the 2xx is not retransmitted (RFC 3261 13.3.1.4 applies to unreliable ones). */
    reliable: boolean;
  }) {
    super();
    this.core = init.core;
    this.direction = init.direction;
    this.dialog = init.dialog;
    this.flowId = init.flowId;
    this.request = init.request;
    this.answerResponse = init.answerResponse;
    this.#inviteTx = init.inviteTx;
    this.#inbound = init.inbound;
    this.localBody = init.localBody;
    this.remoteBody = init.remoteBody;
    this.remoteOffer = init.direction === "inbound" ? init.remoteBody : undefined;
    this.#state = init.direction === "inbound" ? "incoming" : "established";
    this.#reliable = init.reliable;
  }

  get state(): SipSessionState {
    return this.#state;
  }

  /** @internal Whether `tx` is this session's initial INVITE transaction (CANCEL matching). */
  isInviteTransaction(tx: InviteServerTransaction): boolean {
    return this.#inviteTx === tx;
  }

  get callId(): string {
    return this.dialog.id.callId;
  }

  get endReason(): SessionEndReason | undefined {
    return this.#endReason;
  }

  /** Sends a provisional response (e.g. 180 Ringing, or 183 with early media). */
  progress(status = 180, body?: BodyInput): void {
    if (this.#state !== "incoming" || this.#inviteTx === undefined || this.request === undefined) return;
    if (status <= 100 || status >= 200) throw new RingagentError("sip_bad_status", "progress needs 101..199");
    const b = body === undefined ? undefined : toSessionBody(body);
    this.#inviteTx.respond(this.#response(this.request, status, b));
  }

  /**
   * Answers the INVITE with 200 OK (RFC 3261 13.3.1.4) carrying `body`: the answer to the INVITE's
   * offer, or our offer when the INVITE had none (the answer then comes in the ACK: `confirmed`).
   * The 2xx is retransmitted until the ACK arrives; without an ACK after 64*T1 the call is ended.
   * `options.headers` go into the 2xx (e.g. Session-Expires and Require: timer, RFC 4028 9).
   */
  accept(body: BodyInput, options: SessionResponseOptions = {}): void {
    const tx = this.#inviteTx;
    const request = this.request;
    if (this.#state !== "incoming" || tx === undefined || request === undefined) {
      throw new RingagentError("sip_session_state", `cannot accept a session in state ${this.#state}`);
    }
    const local = toSessionBody(body);
    this.localBody = local;
    const ok = this.#response(request, 200, local, options.headers ?? []);
    tx.respond(ok);
    this.#state = "answered";
    // RFC 3261 12.1.1: the UAS dialog is confirmed when it sends the 2xx.
    this.dialog.confirm();
    this.#expectAck(getCSeq(request)?.seq ?? 0, () => tx.respond(ok), true);
  }

  /**
   * Rejects the INVITE (486 Busy Here by default; 603 Decline, 480...). `options.headers` go into
   * the response (Warning with a 488, RFC 3261 20.43; Min-SE with a 422, RFC 4028 6).
   */
  reject(status = 486, options: SessionResponseOptions = {}): void {
    const tx = this.#inviteTx;
    if (this.#state !== "incoming" || tx === undefined || this.request === undefined) return;
    if (status < 300) throw new RingagentError("sip_bad_status", "reject needs a status >= 300");
    tx.respond(this.#response(this.request, status, undefined, options.headers ?? []));
    this.end({ kind: "rejected", status });
  }

  /** Ends the call: BYE when confirmed (RFC 3261 15.1.1), reject when still incoming. Never rejects. */
  async bye(): Promise<void> {
    if (this.#state === "ended") return;
    if (this.#state === "incoming") {
      this.reject(603);
      return;
    }
    this.end({ kind: "local_bye" });
    const target = this.core.inDialogTarget(this.dialog, this.flowId);
    if (target === undefined) return;
    const { response } = await sendWithAuth(
      this.core.transactions,
      (auth) =>
        this.dialog.createRequest("BYE", {
          via: this.core.via(target),
          headers: this.#headers(auth === undefined ? [] : [[auth.name, auth.value]]),
        }),
      target,
      { digest: this.core.digest },
    );
    if (response.status >= 300) this.core.log.debug({ status: response.status }, "BYE answered with failure");
  }

  /**
   * Sends a re-INVITE with a new offer (hold/unhold, codec change, session refresh); resolves with
   * the answer. `options.headers` go into the request (Session-Expires of a refresh, RFC 4028 7.4).
   */
  reinvite(offer: BodyInput, options: SessionResponseOptions = {}): Promise<SessionBody | undefined> {
    return sendOffer(this, "INVITE", toSessionBody(offer), options.headers ?? []);
  }

  /** Sends an UPDATE with a new offer (RFC 3311); resolves with the answer. */
  update(offer: BodyInput, options: SessionResponseOptions = {}): Promise<SessionBody | undefined> {
    return sendOffer(this, "UPDATE", toSessionBody(offer), options.headers ?? []);
  }

  /** Sends INFO (e.g. application/dtmf-relay); rejects with SipRequestError on a failure status. */
  async info(body: BodyInput): Promise<void> {
    await this.sendInDialog("INFO", toSessionBody(body));
  }

  /** Sends MESSAGE in the dialog. */
  async message(body: BodyInput): Promise<void> {
    await this.sendInDialog("MESSAGE", toSessionBody(body));
  }

  /**
   * Blind transfer (RFC 3515): REFER the peer to `target`, then follow the NOTIFY sipfrag progress
   * (`transferProgress` events). Resolves with success/failure and the status; never rejects.
   */
  refer(target: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TransferResult> {
    return sendRefer(this, target, options);
  }

  /** @internal */
  async sendInDialog(
    method: string,
    body: SessionBody | undefined,
    extra: ExtraHeaders = [],
  ): Promise<SipResponse> {
    if (this.#state === "ended") throw new SipRequestError(method, 481);
    const target = this.core.inDialogTarget(this.dialog, this.flowId);
    if (target === undefined) throw new SipRequestError(method, 503);
    const { response } = await sendWithAuth(
      this.core.transactions,
      (auth) =>
        this.dialog.createRequest(method, {
          via: this.core.via(target),
          headers: this.#headers([
            ...extra,
            ...(auth === undefined ? [] : [[auth.name, auth.value] as const]),
          ]),
          ...(body === undefined ? {} : { body: body.body, contentType: body.contentType }),
        }),
      target,
      { digest: this.core.digest },
    );
    if (response.status >= 300) {
      // RFC 3261 12.2.1.2: "If the response for a request within a dialog is a 481 ... or a 408 ...,
      // the UAC SHOULD terminate the dialog."
      if (response.status === 481 || response.status === 408)
        this.end({ kind: "dialog_gone", status: response.status });
      throw new SipRequestError(method, response.status);
    }
    return response;
  }

  /** @internal A request inside this dialog (CSeq already checked by the user agent). */
  receiveRequest(request: SipRequest, tx: ServerTransaction): void {
    const respond = (status: number, body?: SessionBody, headers: ExtraHeaders = []): void =>
      tx.respond(this.#response(request, status, body, headers));
    switch (request.method) {
      case "BYE":
        // RFC 3261 15.1.2: "the UAS MUST generate a 2xx response to the BYE, and MUST pass that to the server transaction".
        respond(200);
        if (this.#state === "incoming" && this.#inviteTx !== undefined && this.request !== undefined) {
          this.#inviteTx.respond(this.#response(this.request, 487, undefined));
        }
        this.end({ kind: "remote_bye" });
        return;
      case "INVITE":
      case "UPDATE":
        receiveOffer(this, request, tx);
        return;
      case "INFO":
      case "MESSAGE":
      case "NOTIFY":
        if (request.method === "NOTIFY" && this.referWaiter?.onNotify(request) === true) {
          respond(200);
          return;
        }
        respond(200);
        this.emit("info", { method: request.method, body: bodyOf(request), headers: request.headers });
        return;
      case "REFER":
        receiveRefer(this, request, tx);
        return;
      case "OPTIONS":
        respond(200, undefined, [["Allow", allowHeaderValue]]);
        return;
      default:
        respond(405, undefined, [["Allow", allowHeaderValue]]);
    }
  }

  /** @internal The ACK for one of our 2xx responses (RFC 3261 13.3.1.4 / 17.2.3). */
  receiveAck(request: SipRequest): void {
    const seq = getCSeq(request)?.seq;
    const pending = seq === undefined ? undefined : this.#pendingAcks.get(seq);
    if (pending === undefined || seq === undefined) return;
    this.#pendingAcks.delete(seq);
    pending.retransmitter.ackReceived();
    const body = bodyOf(request);
    if (body !== undefined) this.remoteBody = body;
    if (pending.initial) {
      if (this.#state === "answered") this.#state = "established";
      this.emit("confirmed", body);
    } else if (body !== undefined) this.emit("answer", body);
  }

  /** @internal Starts the 2xx retransmission for CSeq `seq` until its ACK. */
  expectAck(seq: number, retransmit: () => void): void {
    this.#expectAck(seq, retransmit, false);
  }

  #expectAck(seq: number, retransmit: () => void, initial: boolean): void {
    const retransmitter = startTwoXxRetransmission({
      clock: this.core.clock,
      timers: this.core.transactions.timers,
      reliable: this.#reliable,
      retransmit,
      onTimeout: () => {
        this.#pendingAcks.delete(seq);
        // RFC 3261 13.3.1.4: "the dialog is confirmed, but the session SHOULD be terminated".
        if (this.#state !== "ended") {
          this.end({ kind: "ack_timeout" });
          void this.#sendByeAfterEnd();
        }
      },
    });
    this.#pendingAcks.set(seq, { retransmitter, initial });
  }

  async #sendByeAfterEnd(): Promise<void> {
    const target = this.core.inDialogTarget(this.dialog, this.flowId);
    if (target === undefined) return;
    await sendWithAuth(
      this.core.transactions,
      () => this.dialog.createRequest("BYE", { via: this.core.via(target), headers: this.#headers([]) }),
      target,
    );
  }

  /** @internal The peer cancelled the INVITE (RFC 3261 9.2): 487 to the INVITE. */
  cancelled(): void {
    if (this.#state !== "incoming" || this.#inviteTx === undefined || this.request === undefined) return;
    this.#inviteTx.respond(this.#response(this.request, 487, undefined));
    this.end({ kind: "cancelled", status: 487 });
  }

  /** @internal Marks the session ended (once) and releases the dialog. */
  end(reason: SessionEndReason): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#endReason = reason;
    for (const pending of this.#pendingAcks.values()) pending.retransmitter.stop();
    this.#pendingAcks.clear();
    this.referWaiter?.sessionEnded();
    this.dialog.terminate();
    this.core.sessionEnded(this);
    this.emit("ended", reason);
  }

  /** @internal A response to an in-dialog or initial request, with our tag and Contact. */
  response(request: SipRequest, status: number, body?: SessionBody, headers: ExtraHeaders = []): SipResponse {
    return this.#response(request, status, body, headers);
  }

  #response(
    request: SipRequest,
    status: number,
    body?: SessionBody,
    headers: ExtraHeaders = [],
  ): SipResponse {
    const withContact =
      request.method === "INVITE" || request.method === "UPDATE" || request.method === "SUBSCRIBE";
    const contact =
      withContact && status < 300 && status > 100 && this.#inbound !== undefined
        ? this.core.contactForInbound(this.#inbound)
        : undefined;
    const target =
      withContact && contact === undefined ? this.core.inDialogTarget(this.dialog, this.flowId) : undefined;
    const anyContact =
      contact ?? (target === undefined || status >= 300 ? undefined : this.core.contact(target));
    return createResponse(request, status, {
      toTag: this.dialog.id.localTag,
      ...(anyContact === undefined ? {} : { contact: anyContact }),
      headers: [
        ...(request.method === "INVITE" && status >= 200 && status < 300
          ? [["Allow", allowHeaderValue] as const]
          : []),
        ...headers,
        ...this.core.commonHeaders,
      ],
      ...(body === undefined ? {} : { body: body.body, contentType: body.contentType }),
    });
  }

  #headers(extra: ExtraHeaders): ExtraHeaders {
    return [...extra, ...this.core.commonHeaders];
  }
}
