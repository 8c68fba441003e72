/**
 * The caller's recent audio, kept so take_message can save the message the caller just spoke: a
 * bounded ring of frames with their times, and the span of the caller's last turn.
 */
import type { AudioFrame } from "../../media/index.js";

export interface SpeechSpan {
  readonly startMs: number;
  readonly endMs: number;
}

export class CallerSpeechBuffer {
  readonly #maxFrames: number;
  readonly #frames: { frame: AudioFrame; atMs: number }[] = [];
  #speechStartMs: number | undefined;
  #lastSpeechEndMs: number | undefined;
  #lastTurn: SpeechSpan | undefined;

  constructor(keepMs = 60_000) {
    this.#maxFrames = Math.ceil(keepMs / 20);
  }

  add(frame: AudioFrame, atMs: number): void {
    this.#frames.push({ frame, atMs });
    if (this.#frames.length > this.#maxFrames) this.#frames.splice(0, this.#frames.length - this.#maxFrames);
  }

  /** VAD edges from the pipeline (`caller_speech`). */
  speech(speaking: boolean, atMs: number): void {
    if (speaking) this.#speechStartMs ??= atMs;
    else this.#lastSpeechEndMs = atMs;
  }

  /** The caller's turn was handed to the agent: its span is what a message would be. */
  turnEnded(atMs: number): void {
    const start = this.#speechStartMs;
    if (start !== undefined) this.#lastTurn = { startMs: start, endMs: this.#lastSpeechEndMs ?? atMs };
    this.#speechStartMs = undefined;
  }

  get lastTurn(): SpeechSpan | undefined {
    return this.#lastTurn;
  }

  /** Samples of the last turn with `marginMs` around it, or undefined when there was none. */
  lastTurnAudio(marginMs = 300): { samples: Int16Array; sampleRateHz: number } | undefined {
    const span = this.#lastTurn;
    if (span === undefined) return undefined;
    const picked = this.#frames.filter(
      (f) => f.atMs >= span.startMs - marginMs && f.atMs <= span.endMs + marginMs,
    );
    const first = picked[0];
    if (first === undefined) return undefined;
    const total = picked.reduce((n, f) => n + f.frame.samples.length, 0);
    const samples = new Int16Array(total);
    let offset = 0;
    for (const f of picked) {
      samples.set(f.frame.samples, offset);
      offset += f.frame.samples.length;
    }
    return { samples, sampleRateHz: first.frame.sampleRateHz };
  }
}
