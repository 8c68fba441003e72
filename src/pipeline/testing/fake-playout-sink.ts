import type { AudioFrame } from "../../media/index.js";
import type { Clock, Timer } from "../../shared/index.js";
import type {
  PlayoutOutcome,
  PlayoutPosition,
  PlayoutSink,
  UtteranceHandle,
} from "../conversation/call-audio.js";

export interface SentFrame {
  readonly utteranceId: string;
  readonly frame: AudioFrame;
  readonly atMs: number;
}

class FakeHandle implements UtteranceHandle {
  readonly utteranceId: string;
  readonly queued: AudioFrame[] = [];
  ended = false;
  playedMs = 0;
  settled = false;
  readonly finished: Promise<PlayoutOutcome>;
  resolve: (outcome: PlayoutOutcome) => void = () => undefined;

  constructor(utteranceId: string) {
    this.utteranceId = utteranceId;
    this.finished = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  write(frame: AudioFrame): void {
    if (!this.settled) this.queued.push(frame);
  }

  end(): void {
    this.ended = true;
  }

  positionMs(): number {
    return this.playedMs;
  }

  settle(completed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.queued.length = 0;
    this.resolve({ completed, playedMs: this.playedMs });
  }
}

/**
 * A paced playout sink driven by a {@link Clock}: every 20 ms it sends the next frame of the head
 * utterance (what a media session does), recording what left "on the wire" and when.
 */
export class FakePlayoutSink implements PlayoutSink {
  readonly sampleRateHz: number;
  readonly sent: SentFrame[] = [];
  readonly flushes: Array<{ atMs: number; position: PlayoutPosition }> = [];
  readonly #clock: Clock;
  readonly #queue: FakeHandle[] = [];
  #timer: Timer | undefined;
  #onSent: ((frame: SentFrame) => void) | undefined;

  constructor(clock: Clock, sampleRateHz = 16000) {
    this.#clock = clock;
    this.sampleRateHz = sampleRateHz;
    this.#schedule();
  }

  /** Observes each frame as it is sent (a test uses this to make echo). */
  onSent(listener: (frame: SentFrame) => void): void {
    this.#onSent = listener;
  }

  play(utterance: { readonly utteranceId: string }): UtteranceHandle {
    const handle = new FakeHandle(utterance.utteranceId);
    this.#queue.push(handle);
    return handle;
  }

  flush(): PlayoutPosition {
    const head = this.#queue[0];
    const position = { utteranceId: head?.utteranceId, playedMs: head?.playedMs ?? 0 };
    for (const handle of this.#queue.splice(0)) handle.settle(false);
    this.flushes.push({ atMs: this.#clock.nowMs(), position });
    return position;
  }

  /** Frames sent after `atMs` (inclusive). */
  sentSince(atMs: number): SentFrame[] {
    return this.sent.filter((s) => s.atMs >= atMs);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(20, () => {
      this.#tick();
      this.#schedule();
    });
  }

  #tick(): void {
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined) return;
      const frame = head.queued.shift();
      if (frame !== undefined) {
        head.playedMs += 20;
        const sent = { utteranceId: head.utteranceId, frame, atMs: this.#clock.nowMs() };
        this.sent.push(sent);
        this.#onSent?.(sent);
        if (head.ended && head.queued.length === 0) {
          this.#queue.shift();
          head.settle(true);
        }
        return;
      }
      if (!head.ended) return; // underrun: wait for more audio
      this.#queue.shift();
      head.settle(true);
    }
  }
}
