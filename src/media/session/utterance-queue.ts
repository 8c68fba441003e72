/**
 * Agent utterances waiting to be played, in order. The pacer takes one 20 ms frame per tick from the
 * head utterance; the playout position of an utterance is the ms of it actually sent. Async sources
 * (streaming TTS) are read ahead by a bounded pump; a source slower than real time underruns (the
 * session sends silence meanwhile) and resumes. `flush()` ends every queued utterance at once
 * (barge-in) and reports how much of the playing one was heard.
 */
import { newId } from "../../shared/index.js";
import { type AudioFrame, frameDurationMs } from "../audio/audio-frame.js";

export type UtteranceEndReason = "completed" | "flushed" | "closed" | "failed";

export interface UtteranceResult {
  readonly utteranceId: string;
  readonly reason: UtteranceEndReason;
  /** Playout position when it ended: ms of the utterance that left on the wire. */
  readonly playoutMs: number;
}

export type UtteranceState = "queued" | "playing" | "ended";

export interface UtteranceHandle {
  readonly id: string;
  readonly state: UtteranceState;
  /** Playout position so far (ms sent on the wire). */
  readonly playoutMs: number;
  /** Resolves true when the first packet of the utterance is sent, false if it ended before that. */
  readonly started: Promise<boolean>;
  readonly finished: Promise<UtteranceResult>;
}

export type UtteranceSource = AsyncIterable<AudioFrame> | readonly AudioFrame[];

export interface UtteranceEvents {
  onStarted?(handle: UtteranceHandle): void;
  /** Frames became available at the head of the queue (a talkspurt can start now). */
  onFramesReady?(): void;
  onEnded?(result: UtteranceResult): void;
}

/** Result of a flush: the utterance that was playing (if any) and how much of it was sent. */
export interface FlushResult {
  readonly utteranceId: string | undefined;
  readonly playoutMs: number;
  /** Utterances ended by this flush (playing and queued). */
  readonly flushedCount: number;
}

class Utterance implements UtteranceHandle {
  readonly id = newId();
  state: UtteranceState = "queued";
  playoutMs = 0;
  frames: (AudioFrame | undefined)[];
  head = 0;
  sourceDone: boolean;
  failed = false;
  cancelled = false;
  iterator: AsyncIterator<AudioFrame> | undefined;
  wake: (() => void) | undefined;
  readonly started: Promise<boolean>;
  readonly finished: Promise<UtteranceResult>;
  resolveStarted!: (started: boolean) => void;
  resolveFinished!: (result: UtteranceResult) => void;

  constructor(frames: (AudioFrame | undefined)[], sourceDone: boolean) {
    this.frames = frames;
    this.sourceDone = sourceDone;
    this.started = new Promise((resolve) => {
      this.resolveStarted = resolve;
    });
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get buffered(): number {
    return this.frames.length - this.head;
  }
}

function isFrameArray(source: UtteranceSource): source is readonly AudioFrame[] {
  return Array.isArray(source);
}

export class UtteranceQueue {
  readonly #lookaheadFrames: number;
  readonly #events: UtteranceEvents;
  #queue: Utterance[] = [];
  /** The utterance that gave the last frame taken (credited when the session reports it sent). */
  #lastFrom: Utterance | undefined;

  constructor(options: { lookaheadFrames?: number; events?: UtteranceEvents } = {}) {
    this.#lookaheadFrames = Math.max(1, options.lookaheadFrames ?? 10);
    this.#events = options.events ?? {};
  }

  /** True when nothing is queued or playing. */
  get idle(): boolean {
    return this.#queue.length === 0;
  }

  /** The utterance now on the wire, if any. */
  get current(): UtteranceHandle | undefined {
    const head = this.#queue[0];
    return head?.state === "playing" ? head : undefined;
  }

  enqueue(source: UtteranceSource): UtteranceHandle {
    let u: Utterance;
    if (isFrameArray(source)) {
      u = new Utterance(source.slice(), true);
    } else {
      u = new Utterance([], false);
      u.iterator = source[Symbol.asyncIterator]();
      void this.#pump(u, u.iterator);
    }
    this.#queue.push(u);
    if (u.buffered > 0 && this.#queue[0] === u) this.#events.onFramesReady?.();
    return u;
  }

  /** Reads an async source ahead by up to `lookaheadFrames`; never rejects. */
  async #pump(u: Utterance, iterator: AsyncIterator<AudioFrame>): Promise<void> {
    try {
      while (!u.cancelled) {
        if (u.buffered >= this.#lookaheadFrames) {
          await new Promise<void>((resolve) => {
            u.wake = resolve;
          });
          u.wake = undefined;
          continue;
        }
        const r = await iterator.next();
        if (r.done === true || u.cancelled) break;
        u.frames.push(r.value);
        if (u.buffered === 1 && this.#queue[0] === u) this.#events.onFramesReady?.();
      }
    } catch {
      u.failed = true;
    }
    u.sourceDone = true;
  }

  /** The next frame to send, or undefined (nothing queued, or the head's source has not produced yet). */
  takeFrame(): AudioFrame | undefined {
    for (;;) {
      const u = this.#queue[0];
      if (u === undefined) return undefined;
      if (u.head < u.frames.length) {
        const frame = u.frames[u.head];
        u.frames[u.head] = undefined;
        u.head++;
        if (u.iterator !== undefined && u.head >= 32) {
          u.frames.splice(0, u.head);
          u.head = 0;
        }
        u.wake?.();
        if (frame === undefined) continue;
        this.#lastFrom = u;
        return frame;
      }
      if (!u.sourceDone) return undefined;
      this.#end(u, u.failed ? "failed" : "completed");
    }
  }

  /** The frame last taken was sent: advances its utterance's playout position. */
  frameSent(): void {
    const u = this.#lastFrom;
    this.#lastFrom = undefined;
    if (u === undefined || u.state === "ended") return;
    u.playoutMs += frameDurationMs;
    if (u.state === "queued") {
      u.state = "playing";
      u.resolveStarted(true);
      this.#events.onStarted?.(u);
    }
    if (u.sourceDone && u.buffered === 0) this.#end(u, u.failed ? "failed" : "completed");
  }

  /** The frame last taken was not sent (no destination, send error): it does not count as heard. */
  frameNotSent(): void {
    this.#lastFrom = undefined;
  }

  /** Ends every utterance at once (barge-in). */
  flush(reason: UtteranceEndReason = "flushed"): FlushResult {
    const playing = this.current;
    const result: FlushResult = {
      utteranceId: playing?.id,
      playoutMs: playing?.playoutMs ?? 0,
      flushedCount: this.#queue.length,
    };
    const all = this.#queue;
    this.#queue = [];
    this.#lastFrom = undefined;
    for (const u of all) this.#end(u, reason);
    return result;
  }

  #end(u: Utterance, reason: UtteranceEndReason): void {
    if (u.state === "ended") return;
    const wasQueued = u.state === "queued";
    u.state = "ended";
    u.cancelled = true;
    u.wake?.();
    const iterator = u.iterator;
    if (!u.sourceDone && iterator?.return !== undefined) {
      // Tell a streaming source (TTS) to stop producing; its errors are irrelevant now.
      iterator.return().catch(() => undefined);
    }
    u.frames = [];
    u.head = 0;
    const i = this.#queue.indexOf(u);
    if (i >= 0) this.#queue.splice(i, 1);
    if (wasQueued) u.resolveStarted(false);
    const result: UtteranceResult = { utteranceId: u.id, reason, playoutMs: u.playoutMs };
    u.resolveFinished(result);
    this.#events.onEnded?.(result);
  }
}
