import type { AudioFrame } from "../../media/index.js";
import { frameEnergyDb } from "../audio/frame-energy.js";
import { AsyncChannel } from "../base/async-channel.js";
import {
  estimateWordTimings,
  fallbackMsPerCharacter,
  heardWords,
  type WordTiming,
  wordStartAtOrBefore,
} from "../turn/heard-text.js";
import type { PlayoutSink, UtteranceHandle } from "./call-audio.js";

export type SpeechKind = "response" | "greeting" | "filler" | "prompt" | "apology" | "goodbye";

const frameMs = 20;

interface Segment {
  readonly text: string;
  readonly startMs: number;
  /** Absolute word timings (from the start of this speech's audio). */
  readonly words: readonly WordTiming[];
}

/**
 * One agent utterance: the audio TTS produced for it (kept so a false interruption can resume it and
 * the playout position can be mapped to words), the sentences still to synthesize, and the sink
 * handle it is currently playing through (none while paused for a barge-in candidate).
 */
export class AgentSpeech {
  readonly id: number;
  readonly kind: SpeechKind;
  readonly responseId: number | undefined;
  readonly sentences = new AsyncChannel<string>();
  readonly frames: AudioFrame[] = [];
  readonly energiesDb: number[] = [];
  readonly #segments: Segment[] = [];
  /** Sentences handed to TTS that have no audio yet (not heard at all). */
  readonly #pendingText: string[] = [];
  #segmentStartFrame = 0;
  audioDone = false;
  handle: UtteranceHandle | undefined;
  handleSerial = 0;
  /** Frame index where the current handle started. */
  #baseFrame = 0;
  /** Frame index to start from on the next `begin` (resume point). */
  #resumeFrame = 0;
  #heardMsAtPause = 0;
  /** Frames of the current handle already reported to the echo guard. */
  notedFrames = 0;
  /** Whether any frame of this speech was handed to the sink yet. */
  started = false;
  /** The assistant message in the history that this speech says (trimmed on barge-in). */
  historyIndex: number | undefined;

  constructor(id: number, kind: SpeechKind, responseId: number | undefined) {
    this.id = id;
    this.kind = kind;
    this.responseId = responseId;
  }

  get utteranceId(): string {
    return `speech-${this.id}-${this.handleSerial}`;
  }

  get pendingSentences(): number {
    return this.#pendingText.length;
  }

  submitSentence(text: string): void {
    this.#pendingText.push(text);
    this.sentences.push(text);
  }

  /** Starts (or resumes) playout through `sink` from the resume point. */
  begin(sink: PlayoutSink): UtteranceHandle {
    this.handleSerial++;
    const handle = sink.play({ utteranceId: this.utteranceId });
    this.handle = handle;
    this.#baseFrame = this.#resumeFrame;
    this.notedFrames = 0;
    for (let i = this.#baseFrame; i < this.frames.length; i++) {
      const frame = this.frames[i];
      if (frame !== undefined) handle.write(frame);
    }
    if (this.audioDone) handle.end();
    return handle;
  }

  /** Appends synthesized audio; returns true when it went to the sink now. */
  appendFrame(frame: AudioFrame): boolean {
    this.frames.push(frame);
    this.energiesDb.push(frameEnergyDb(frame.samples));
    if (this.handle === undefined) return false;
    this.handle.write(frame);
    return true;
  }

  sentenceDone(text: string, words: readonly WordTiming[] | undefined): void {
    const startMs = this.#segmentStartFrame * frameMs;
    const durationMs = (this.frames.length - this.#segmentStartFrame) * frameMs;
    const relative = words ?? estimateWordTimings(text, durationMs);
    this.#segments.push({
      text,
      startMs,
      words: relative.map((w) => ({ word: w.word, startMs: w.startMs + startMs, endMs: w.endMs + startMs })),
    });
    this.#segmentStartFrame = this.frames.length;
    const index = this.#pendingText.indexOf(text);
    if (index >= 0) this.#pendingText.splice(index, 1);
  }

  finishAudio(): void {
    this.audioDone = true;
    this.sentences.close();
    this.handle?.end();
  }

  /** Frames of the current handle not yet sent (0 when paused). */
  unplayedMs(): number {
    if (this.handle === undefined) return 0;
    return (this.frames.length - this.#baseFrame) * frameMs - this.handle.positionMs();
  }

  heardMs(): number {
    if (this.handle === undefined) return this.#heardMsAtPause;
    return this.#baseFrame * frameMs + this.handle.positionMs();
  }

  /** After `sink.flush()`: freezes the position and rewinds the resume point to the current word. */
  pause(): void {
    this.#heardMsAtPause = this.heardMs();
    this.handle = undefined;
    const startMs = wordStartAtOrBefore(this.#allWords(), this.#heardMsAtPause);
    this.#resumeFrame = Math.min(this.frames.length, Math.floor(startMs / frameMs));
  }

  /** The text the caller heard, word by word, given the playout position. */
  heardText(): string {
    const playedMs = this.heardMs();
    const words = heardWords(this.#allWords(), playedMs);
    return words.join(" ");
  }

  /** Every word with absolute timing, including the sentence still being synthesized (estimated). */
  #allWords(): WordTiming[] {
    const words = this.#segments.flatMap((s) => s.words);
    const open = this.frames.length > this.#segmentStartFrame ? this.#pendingText[0] : undefined;
    if (open !== undefined) {
      const startMs = this.#segmentStartFrame * frameMs;
      for (const w of estimateWordTimings(open, open.length * fallbackMsPerCharacter)) {
        words.push({ word: w.word, startMs: w.startMs + startMs, endMs: w.endMs + startMs });
      }
    }
    return words;
  }

  /** Agent frames that left on the wire since the last call, with their energies (for the echo guard). */
  takeNewlyPlayed(): number[] {
    if (this.handle === undefined) return [];
    const playedFrames = Math.floor(this.handle.positionMs() / frameMs);
    const out: number[] = [];
    for (let i = this.notedFrames; i < playedFrames; i++)
      out.push(this.energiesDb[this.#baseFrame + i] ?? -100);
    this.notedFrames = Math.max(this.notedFrames, playedFrames);
    return out;
  }
}
