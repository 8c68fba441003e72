/**
 * A Call: one SIP dialog joined with one media session (CONTEXT.md). The Call is the single owner of
 * everything the call holds: its media session (sockets, buffers), its timers and its listeners;
 * `#release()` frees all of them exactly once when the call ends, whatever ended it.
 */
import { EventEmitter } from "node:events";
import { type AudioFrame, formatDtmfRelayBody, isDtmfDigit, parseDtmfRelayBody } from "../media/index.js";
import { type Clock, describeError, type Logger, RingagentError } from "../shared/index.js";
import { type CallSdp, peerHolds } from "./call-sdp.js";
import {
  type CallDirection,
  type CallEndReason,
  type CallState,
  canTransition,
  type HoldParty,
  holdParty,
  isEstablished,
  transition,
} from "./call-state.js";
import { MediaTimeoutWatch, SessionTimerWatch } from "./call-timers.js";
import type {
  CallMediaSession,
  PlayoutFlush,
  PlayoutHandle,
  ReceivedDigit,
  UtteranceInput,
} from "./media-port.js";
import type { Refresher, SessionTimerAnswer } from "./session-timer.js";
import {
  type InDialogInfo,
  type InDialogOffer,
  isSdp,
  type SignalingBody,
  type SignalingEnd,
  type SignalingSession,
  type TransferProgress,
  type TransferResult,
} from "./signaling-port.js";

export interface CallDigit {
  readonly digit: string;
  readonly durationMs: number;
  readonly via: "rfc4733" | "sip-info";
}

export interface CallEvents {
  state: [state: CallState, previous: CallState];
  dtmf: [digit: CallDigit];
  hold: [party: HoldParty | undefined];
  transfer: [progress: TransferProgress];
  ended: [reason: CallEndReason];
}

/** The audio API an agent uses (adapts trivially to the pipeline's CallAudio + PlayoutSink). */
export interface CallAudioPort {
  readonly sampleRateHz: number;
  /** 20 ms PCM frames from the caller until the call ends. */
  frames(): AsyncIterable<AudioFrame>;
  play(utterance: UtteranceInput): PlayoutHandle;
  /** Drops all queued agent audio; reports how much of the playing utterance left on the wire. */
  flush(): PlayoutFlush;
  /** Playout position (ms on the wire) of the current or last utterance. */
  positionMs(): number;
}

export interface CallInit {
  readonly id: string;
  readonly direction: CallDirection;
  readonly lineName: string;
  readonly signaling: SignalingSession;
  readonly media: CallMediaSession;
  readonly sdp: CallSdp;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly mediaTimeoutMs: number;
  readonly pipelineRateHz: number;
  /** Called once after every resource was released (the manager's bookkeeping). */
  readonly onReleased?: (call: Call) => void;
}

export class Call extends EventEmitter<CallEvents> {
  readonly id: string;
  readonly direction: CallDirection;
  readonly lineName: string;
  readonly signaling: SignalingSession;
  readonly audio: CallAudioPort;
  /** Resolves with the end reason once the call has ended and released everything. */
  readonly ended: Promise<CallEndReason>;
  readonly startedAtMs: number;
  answeredAtMs: number | undefined;
  #state: CallState = "ringing";
  #endReason: CallEndReason | undefined;
  #resolveEnded!: (reason: CallEndReason) => void;
  readonly #media: CallMediaSession;
  readonly #sdp: CallSdp;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #mediaWatch: MediaTimeoutWatch;
  #sessionTimer: SessionTimerWatch | undefined;
  #localHold = false;
  #remoteHold = false;
  #offerInFlight = false;
  /** We put an offer in the 200 to an offerless re-INVITE; the ACK brings the answer. */
  #awaitingAckAnswer = false;
  #lastPlayout: PlayoutHandle | undefined;
  #released = false;
  readonly #onReleased: ((call: Call) => void) | undefined;
  readonly #onDigit = (d: ReceivedDigit): void => {
    this.emit("dtmf", { digit: d.digit, durationMs: d.durationMs, via: "rfc4733" });
  };

  constructor(init: CallInit) {
    super();
    this.id = init.id;
    this.direction = init.direction;
    this.lineName = init.lineName;
    this.signaling = init.signaling;
    this.#media = init.media;
    this.#sdp = init.sdp;
    this.#clock = init.clock;
    this.#log = init.logger.child({ callId: init.id });
    this.#onReleased = init.onReleased;
    this.startedAtMs = init.clock.nowMs();
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    const media = init.media;
    this.audio = {
      sampleRateHz: init.pipelineRateHz,
      frames: () => media.frames(),
      play: (utterance) => {
        const handle = media.play(utterance);
        this.#lastPlayout = handle;
        return handle;
      },
      flush: () => media.flush(),
      positionMs: () => this.#lastPlayout?.playoutMs ?? 0,
    };
    this.#mediaWatch = new MediaTimeoutWatch({
      clock: init.clock,
      timeoutMs: init.mediaTimeoutMs,
      idleMs: () => media.inboundIdleMs(),
      // RFC 3264 8.4: a held stream may carry no RTP at all.
      enabled: () => this.#state === "active" || this.#state === "transferring",
      onTimeout: (idleMs) => {
        this.#log.info({ idleMs }, "no media from the peer: hanging up");
        void this.#hangupWith({ kind: "media_timeout", idleMs });
      },
    });
    media.on("dtmf", this.#onDigit);
    init.signaling.setHandlers({
      ended: (end) => this.#onSignalingEnded(end),
      offer: (offer) => this.#onOffer(offer),
      info: (info) => this.#onInfo(info),
      ackAnswer: (answer) => this.#onAckAnswer(answer),
    });
  }

  get state(): CallState {
    return this.#state;
  }

  get endReason(): CallEndReason | undefined {
    return this.#endReason;
  }

  get hold(): HoldParty | undefined {
    return holdParty(this.#localHold, this.#remoteHold);
  }

  /** The caller's user part (PII: never log). */
  get remoteUser(): string | undefined {
    return this.signaling.remoteUser;
  }

  /** The media session's local description (for diagnostics; contains addresses). */
  get localSdp(): string | undefined {
    return this.#sdp.localSdp;
  }

  get media(): CallMediaSession {
    return this.#media;
  }

  #setState(next: CallState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = transition(previous, next);
    this.emit("state", next, previous);
  }

  /** Manager: the 200 OK is on its way (inbound). */
  markAnswering(): void {
    this.#setState("answering");
  }

  /** Manager: the dialog is confirmed (ACK received or 2xx to our INVITE); media runs. */
  markActive(sessionTimer?: { answer: SessionTimerAnswer; weAre: Refresher }): void {
    if (this.#state === "ended" || this.#state === "ending") return;
    this.answeredAtMs = this.#clock.nowMs();
    this.#setState("active");
    this.#applyHold(this.direction === "inbound" ? "peer" : "answer");
    this.#mediaWatch.start();
    if (sessionTimer) {
      this.#sessionTimer = new SessionTimerWatch({
        clock: this.#clock,
        answer: sessionTimer.answer,
        weAre: sessionTimer.weAre,
        onRefresh: () => void this.#refreshSession(),
        onExpire: () => void this.#hangupWith({ kind: "session_expired" }),
      });
      this.#sessionTimer.refreshed();
    }
  }

  /** Manager: ends a call that never got established (rejected, cancelled, failed). */
  finish(reason: CallEndReason): void {
    if (this.#state === "ended") return;
    this.#endReason ??= reason;
    this.#setState("ended");
    this.#release();
  }

  /** Hangs up (BYE); resolves when the call has ended. Idempotent. */
  async hangup(): Promise<CallEndReason> {
    await this.#hangupWith({ kind: "agent_hung_up" });
    return this.ended;
  }

  /** Hangs up because something failed (reason `error` with this code and detail). */
  async hangupWithError(code: string, detail: string): Promise<void> {
    await this.#hangupWith({ kind: "error", code, detail });
  }

  async #hangupWith(reason: CallEndReason): Promise<void> {
    if (this.#state === "ending" || this.#state === "ended") return;
    this.#endReason = reason;
    if (canTransition(this.#state, "ending")) this.#setState("ending");
    this.#mediaWatch.stop();
    this.#sessionTimer?.stop();
    try {
      await this.signaling.bye();
    } catch (error) {
      this.#log.debug({ error: describeError(error) }, "BYE failed; the call ends anyway");
    }
    this.finish(reason);
  }

  /** Puts the caller on hold (re-INVITE with sendonly, RFC 3264 8.4). */
  async putOnHold(): Promise<void> {
    await this.#reofferDirection(true);
  }

  async resume(): Promise<void> {
    await this.#reofferDirection(false);
  }

  async #reofferDirection(localHold: boolean): Promise<void> {
    if (!isEstablished(this.#state))
      throw new RingagentError("call_not_established", `call is ${this.#state}`);
    if (this.#offerInFlight)
      throw new RingagentError("call_offer_pending", "an offer is already in progress", { retryable: true });
    const previous = this.#localHold;
    this.#localHold = localHold;
    try {
      await this.#reoffer("INVITE");
    } catch (error) {
      this.#localHold = previous;
      throw error;
    }
  }

  #wantedDirection(): "sendrecv" | "sendonly" {
    return this.#localHold ? "sendonly" : "sendrecv";
  }

  /** Sends our offer in a re-INVITE/UPDATE and applies the answer. */
  async #reoffer(method: "INVITE" | "UPDATE"): Promise<void> {
    this.#offerInFlight = true;
    try {
      const offer = this.#sdp.offer(this.#wantedDirection());
      const answer = await this.signaling.reoffer(offer, method);
      if (this.#state === "ended") return;
      if (!isSdp(answer)) throw new RingagentError("call_bad_answer", "re-INVITE answer carried no SDP");
      const outcome = this.#sdp.processAnswer(answer.body.toString("utf8"));
      if (!outcome.ok) throw new RingagentError("call_bad_answer", `answer unusable: ${outcome.reason}`);
      this.#media.configure(outcome.negotiated);
      this.#applyHold("answer");
      this.#sessionTimer?.refreshed();
    } finally {
      this.#offerInFlight = false;
    }
  }

  async #refreshSession(): Promise<void> {
    if (!isEstablished(this.#state)) return;
    try {
      await this.#reoffer("INVITE");
    } catch (error) {
      // RFC 4028 10: "If the refresh fails (481 or 408) ... the session SHOULD be terminated".
      this.#log.info({ error: describeError(error) }, "session refresh failed: hanging up");
      await this.#hangupWith({ kind: "error", code: "session_refresh_failed", detail: describeError(error) });
    }
  }

  /**
   * Recomputes hold from the current media agreement and moves active <-> on_hold. The peer holds
   * when it offered sendonly/inactive (RFC 3264 8.4). An answer to OUR hold offer says nothing about
   * the peer's wish (recvonly and inactive are both fine answers to sendonly), so it keeps the flag.
   */
  #applyHold(source: "peer" | "answer"): void {
    const before = this.hold;
    const negotiated = this.#sdp.negotiated;
    if (negotiated && !(source === "answer" && this.#localHold))
      this.#remoteHold = peerHolds(negotiated, true);
    const held = this.hold !== undefined;
    if (held && this.#state === "active") this.#setState("on_hold");
    else if (!held && this.#state === "on_hold") this.#setState("active");
    if (before !== this.hold) this.emit("hold", this.hold);
  }

  #onOffer(offer: InDialogOffer): void {
    if (!isEstablished(this.#state)) {
      // RFC 3261 14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that
      // dialog is in progress MUST return a 491"; before the dialog is confirmed we answer 491 too.
      offer.reject(491);
      return;
    }
    if (this.#offerInFlight) {
      offer.reject(491);
      return;
    }
    if (!isSdp(offer.offer)) {
      // RFC 3264 8 / RFC 3261 14.2: an offerless re-INVITE gets our current description as the offer;
      // the peer's answer comes in the ACK (#onAckAnswer).
      offer.accept(this.#sdp.offer(this.#wantedDirection()));
      this.#awaitingAckAnswer = true;
      this.#sessionTimer?.refreshed();
      return;
    }
    const outcome = this.#sdp.answer(offer.offer.body.toString("utf8"), this.#wantedDirection());
    if (!outcome.ok) {
      // RFC 3261 14.2: a UAS that cannot accept the changes "MUST respond with 488 ... the session
      // continues as if the re-INVITE had never been received."
      offer.reject(488, { code: outcome.warningCode, text: outcome.reason });
      return;
    }
    try {
      this.#media.configure(outcome.negotiated);
    } catch (error) {
      // The media engine cannot run what SDP agreed on (e.g. a codec it failed to create).
      offer.reject(488, { code: 399, text: "media engine refused the offer" });
      this.#log.warn({ error: describeError(error) }, "media refused a re-INVITE");
      return;
    }
    offer.accept(outcome.sdp);
    this.#applyHold("peer");
    this.#sessionTimer?.refreshed();
  }

  /** RFC 3261 14.2: "the ACK ... contains the answer" to the offer in our 2xx to an offerless re-INVITE. */
  #onAckAnswer(answer: SignalingBody): void {
    if (!this.#awaitingAckAnswer || !isEstablished(this.#state)) return;
    this.#awaitingAckAnswer = false;
    if (!isSdp(answer)) return;
    const outcome = this.#sdp.processAnswer(answer.body.toString("utf8"));
    if (!outcome.ok) {
      // RFC 3264 gives no way to refuse an answer: media stays as it was; the caller can re-offer.
      this.#log.info({ reason: outcome.reason }, "unusable answer in the ACK; media unchanged");
      return;
    }
    try {
      this.#media.configure(outcome.negotiated);
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, "media refused the answer in the ACK");
      return;
    }
    this.#applyHold("peer");
  }

  #onInfo(info: InDialogInfo): void {
    if (info.method !== "INFO" || !info.body) return;
    if (info.body.contentType.toLowerCase() !== "application/dtmf-relay") return;
    const relay = parseDtmfRelayBody(info.body.body.toString("utf8"));
    if (relay) this.emit("dtmf", { digit: relay.digit, durationMs: relay.durationMs, via: "sip-info" });
  }

  #onSignalingEnded(end: SignalingEnd): void {
    if (this.#state === "ended") return;
    const reason: CallEndReason =
      end.kind === "remote_bye" || end.kind === "cancelled"
        ? { kind: "caller_hung_up" }
        : {
            kind: "error",
            code: end.kind,
            detail: end.status === undefined ? end.kind : `${end.kind} (${end.status})`,
          };
    // A BYE that crosses our own keeps our reason (we hung up first).
    this.finish(this.#endReason ?? reason);
  }

  /** Sends digits: RFC 4733 when telephone-event was negotiated, else SIP INFO dtmf-relay. */
  async sendDigits(digits: string, durationMs = 100): Promise<void> {
    for (const digit of digits) {
      if (!isDtmfDigit(digit)) throw new RingagentError("call_bad_digit", "not a DTMF digit");
    }
    for (const digit of digits) {
      if (!isEstablished(this.#state))
        throw new RingagentError("call_not_established", `call is ${this.#state}`);
      if (this.#sdp.negotiated?.telephoneEventPayloadType !== undefined) {
        await this.#media.sendDigit(digit, durationMs);
      } else if (isDtmfDigit(digit)) {
        const body = formatDtmfRelayBody({ digit, durationMs });
        await this.signaling.sendInfo({
          contentType: "application/dtmf-relay",
          body: Buffer.from(body, "utf8"),
        });
      }
    }
  }

  /**
   * Blind transfer (RFC 3515 REFER; RFC 5589 6.1): progress arrives as `transfer` events; on success
   * we BYE and the call ends as `transferred`; on failure the caller stays connected.
   */
  async transfer(target: string, options: { signal?: AbortSignal } = {}): Promise<TransferResult> {
    return this.#refer(target, undefined, options.signal);
  }

  /** Attended transfer: the caller replaces `consult`'s dialog with the consulted party (RFC 3891). */
  async transferTo(consult: Call, options: { signal?: AbortSignal } = {}): Promise<TransferResult> {
    if (!isEstablished(consult.state))
      throw new RingagentError("call_not_established", "consult call is not up");
    const result = await this.#refer(consult.signaling.remoteUri, consult.signaling, options.signal);
    if (result.outcome === "success") consult.finish({ kind: "transferred" });
    return result;
  }

  async #refer(
    target: string,
    replaces: SignalingSession | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TransferResult> {
    if (this.#state !== "active" && this.#state !== "on_hold") {
      throw new RingagentError("call_not_established", `cannot transfer a call that is ${this.#state}`);
    }
    this.#setState("transferring");
    let result: TransferResult;
    let reportedFailure = false;
    try {
      result = await this.signaling.refer(target, {
        onProgress: (p) => {
          if (p.state === "failure") reportedFailure = true;
          this.emit("transfer", p);
        },
        ...(replaces ? { replaces } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      result = { outcome: "failure", status: statusOf(error) };
    }
    if (this.state !== "transferring") return result;
    if (result.outcome === "success") {
      await this.#hangupWith({ kind: "transferred" });
    } else {
      // The NOTIFY sipfrag may have reported the failure already; report it exactly once.
      if (!reportedFailure) this.emit("transfer", { state: "failure", status: result.status });
      this.#setState(this.hold !== undefined ? "on_hold" : "active");
    }
    return result;
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#mediaWatch.stop();
    this.#sessionTimer?.stop();
    this.#media.off("dtmf", this.#onDigit);
    try {
      this.#media.close();
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, "media close failed");
    }
    const reason = this.#endReason ?? { kind: "error", code: "unknown", detail: "ended without a reason" };
    this.#endReason = reason;
    this.emit("ended", reason);
    this.#resolveEnded(reason);
    this.#onReleased?.(this);
    this.removeAllListeners();
  }
}

/** The SIP status carried by a signaling failure (0 when there is none: transport, timeout...). */
export function statusOf(error: unknown): number {
  if (typeof error === "object" && error !== null && "status" in error && typeof error.status === "number") {
    return error.status;
  }
  return 0;
}
