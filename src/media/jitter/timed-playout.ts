/**
 * Time-based playout over a JitterBuffer, a pure core (arrival times in, frames out when due; the
 * caller asks at every pacer sub-tick). The listener is a machine (VAD, STT), so audio is handed on
 * as soon as it can be rather than on a fixed 20 ms grid: each frame has a due time on an
 * arrival-anchored schedule; a frame whose packet is here is released at once (`releaseEarly`,
 * default: the caller's audio reaches VAD and endpointing one sub-tick after it arrived, whatever
 * the depth), and the due time is the deadline after which a missing packet stops being waited for.
 * With `releaseEarly: false` frames leave on the schedule (a steady cadence for a human listener).
 *
 * Schedule: the first packet of a talkspurt is due at its arrival plus a small margin (a multiple of
 * the RFC 3550 interarrival jitter estimate); each later frame is due one frame after the previous.
 * A packet that arrives after its due time (late, or the sender's clock is slower) re-anchors the
 * schedule on its arrival; when every packet of a short window waited longer than the margin (an
 * underrun earlier pushed the schedule back, or the sender's clock is faster), the schedule moves
 * earlier by the excess, so the delay never stays above what the measured jitter needs. A frame whose
 * packet has not come is waited for up to `underrunWaitMs`, then concealed (PLC) without consuming
 * its sequence number; a missing packet with later ones here is lost and concealed at its due time.
 * After `idleAfterUnderruns` concealed frames in a row playout goes idle: a silent frame every 20 ms
 * (the pipeline's endpointing counts frames) until the next packet re-anchors the schedule.
 */
import type { AudioFrame } from "../audio/audio-frame.js";
import type { JitterBuffer } from "./jitter-buffer.js";

export interface TimedPlayoutOptions {
  /** Release a frame whose packet is here before its due time (true), or only when due (false). */
  readonly releaseEarly: boolean;
  /** Margin added to the arrival-anchored schedule: this many times the interarrival jitter estimate. */
  readonly marginJitterFactor: number;
  readonly minMarginMs: number;
  readonly maxMarginMs: number;
  /**
   * How long past its due time a frame waits for a late packet before it is concealed: this plus
   * twice the jitter estimate (bursty senders deliver late packets in bunches).
   */
  readonly underrunWaitMs: number;
  /** How long past its due time a missing packet is waited for (reordering) when later ones are here. */
  readonly reorderWaitMs: number;
  /** Concealed underruns in a row after which playout goes idle (silence until the next packet). */
  readonly idleAfterUnderruns: number;
  /** Arrivals per shrink check: when all waited more than margin + shrinkAboveMs, move earlier. */
  readonly shrinkWindowPackets: number;
  readonly shrinkAboveMs: number;
}

/**
 * Defaults for a machine listener: a margin of one jitter estimate (a late packet costs only its
 * own lateness: it is waited for, not concealed), a 20 ms (plus twice the jitter) wait before
 * concealing, and a 200 ms window to give back delay that is no longer needed.
 */
export const defaultTimedPlayoutOptions = {
  releaseEarly: true,
  marginJitterFactor: 1,
  minMarginMs: 0,
  maxMarginMs: 100,
  underrunWaitMs: 20,
  reorderWaitMs: 10,
  idleAfterUnderruns: 5,
  shrinkWindowPackets: 10,
  shrinkAboveMs: 1,
} as const satisfies TimedPlayoutOptions;

export interface TimedPlayoutStats {
  readonly playing: boolean;
  readonly marginMs: number;
  /** Smallest wait (due minus arrival) over the last full shrink window, in ms. */
  readonly lastWindowMinWaitMs: number;
  /** Frames released: decoded or concealed while playing, silent while idle. */
  readonly framesOut: number;
  readonly silentFrames: number;
  /** Frames concealed because nothing had come within underrunWaitMs of their due time. */
  readonly underrunsConcealed: number;
  /** Packets that came after their due time and moved the schedule later. */
  readonly reanchors: number;
  /** Times the schedule moved earlier, and by how many ms in total. */
  readonly shrinks: number;
  readonly shrunkMs: number;
}

const frameMs = 20;

export class TimedPlayout {
  readonly jitter: JitterBuffer;
  readonly #options: TimedPlayoutOptions;
  #playing = false;
  /** Due time of the next frame; undefined before the first packet. */
  #nextDueMs: number | undefined;
  #underruns = 0;
  /** When a call first found the due frame's packet overdue past its wait (undefined: not yet). */
  #overdueSeenMs: number | undefined;
  #windowMinWaitMs = Number.POSITIVE_INFINITY;
  #windowCount = 0;
  #lastWindowMinWaitMs = 0;
  #framesOut = 0;
  #silentFrames = 0;
  #underrunsConcealed = 0;
  #reanchors = 0;
  #shrinks = 0;
  #shrunkMs = 0;

  constructor(jitter: JitterBuffer, options: Partial<TimedPlayoutOptions> = {}) {
    this.jitter = jitter;
    this.#options = { ...defaultTimedPlayoutOptions, ...options };
  }

  get marginMs(): number {
    const o = this.#options;
    return Math.min(
      o.maxMarginMs,
      Math.max(o.minMarginMs, o.marginJitterFactor * this.jitter.jitterEstimateMs),
    );
  }

  /** Due time of the next frame (undefined before the first packet). */
  get nextDueMs(): number | undefined {
    return this.#nextDueMs;
  }

  get playing(): boolean {
    return this.#playing;
  }

  /** An audio packet was accepted by the jitter buffer at `arrivalMs`. */
  onAccepted(arrivalMs: number): void {
    const margin = this.marginMs;
    if (!this.#playing || this.#nextDueMs === undefined) {
      // Talkspurt start: anchor the schedule on this arrival (a silent frame due earlier is skipped).
      this.#playing = true;
      this.#underruns = 0;
      this.jitter.skipToBuffered();
      this.#nextDueMs = arrivalMs + margin - this.jitter.aheadMs;
      this.#resetWindow();
      return;
    }
    const aheadMs = this.jitter.aheadMs;
    const waitMs = this.#nextDueMs + aheadMs - arrivalMs;
    if (waitMs < 0) {
      // After its due time: the schedule follows this packet's arrival.
      this.#nextDueMs = arrivalMs + margin - aheadMs;
      this.#reanchors++;
      this.#resetWindow();
      return;
    }
    if (waitMs < this.#windowMinWaitMs) this.#windowMinWaitMs = waitMs;
    if (++this.#windowCount < this.#options.shrinkWindowPackets) return;
    this.#lastWindowMinWaitMs = this.#windowMinWaitMs;
    const excessMs = this.#windowMinWaitMs - margin;
    if (excessMs > this.#options.shrinkAboveMs) {
      this.#nextDueMs -= excessMs;
      this.#shrinks++;
      this.#shrunkMs += excessMs;
    }
    this.#resetWindow();
  }

  /** The next frame if it is due at `nowMs`, else undefined (call again until undefined). */
  pullDue(nowMs: number): AudioFrame | undefined {
    const dueMs = this.#nextDueMs;
    if (dueMs === undefined) return undefined;
    if (nowMs < dueMs) {
      // Early: only a frame that is here, and only when allowed.
      if (!this.#playing || !this.#options.releaseEarly || this.jitter.nextFrameStatus() !== "ready") {
        return undefined;
      }
      this.#underruns = 0;
      this.#overdueSeenMs = undefined;
      this.#nextDueMs = dueMs + frameMs;
      this.#framesOut++;
      return this.jitter.takeDueFrame();
    }
    if (!this.#playing) {
      this.#nextDueMs = dueMs + frameMs;
      this.#framesOut++;
      this.#silentFrames++;
      return this.jitter.silentFrame();
    }
    const status = this.jitter.nextFrameStatus();
    if (status === "empty") {
      const waitMs = Math.min(
        this.#options.maxMarginMs,
        this.#options.underrunWaitMs + 2 * this.jitter.jitterEstimateMs,
      );
      if (this.#stillWaiting(nowMs, dueMs + waitMs)) return undefined;
      this.#underrunsConcealed++;
      if (++this.#underruns >= this.#options.idleAfterUnderruns) this.#playing = false;
    } else {
      if (status === "lost" && this.#stillWaiting(nowMs, dueMs + this.#options.reorderWaitMs))
        return undefined;
      this.#underruns = 0;
    }
    this.#overdueSeenMs = undefined;
    this.#nextDueMs = dueMs + frameMs;
    this.#framesOut++;
    return this.jitter.takeDueFrame();
  }

  /**
   * Whether to keep waiting for the due frame's packet. Past `untilMs` it is concealed, but only once
   * an earlier call (at least 1 ms before) already found it overdue: the event loop has polled the
   * sockets since, so a packet held up by our own stall (timers run before socket reads) still plays.
   */
  #stillWaiting(nowMs: number, untilMs: number): boolean {
    if (nowMs < untilMs) return true;
    if (this.#overdueSeenMs === undefined) {
      this.#overdueSeenMs = nowMs;
      return true;
    }
    return nowMs - this.#overdueSeenMs < 1;
  }

  /** A new source (SSRC change): the next packet anchors a new schedule. */
  reset(): void {
    this.#playing = false;
    this.#underruns = 0;
    this.#overdueSeenMs = undefined;
    this.#resetWindow();
  }

  stats(): TimedPlayoutStats {
    return {
      playing: this.#playing,
      marginMs: this.marginMs,
      lastWindowMinWaitMs: this.#lastWindowMinWaitMs,
      framesOut: this.#framesOut,
      silentFrames: this.#silentFrames,
      underrunsConcealed: this.#underrunsConcealed,
      reanchors: this.#reanchors,
      shrinks: this.#shrinks,
      shrunkMs: this.#shrunkMs,
    };
  }

  #resetWindow(): void {
    this.#windowMinWaitMs = Number.POSITIVE_INFINITY;
    this.#windowCount = 0;
  }
}
