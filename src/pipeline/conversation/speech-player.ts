import type { AudioFrame } from "../../media/index.js";
import type { Clock } from "../../shared/index.js";
import { asRingagentError, type RetryPolicy, retryingStream } from "../base/provider-retry.js";
import type { FrameQueue } from "../frames/frame-queue.js";
import type { TtsProvider } from "../tts/tts-types.js";
import type { EchoGuard } from "../turn/echo-guard.js";
import type { WordTiming } from "../turn/heard-text.js";
import { AgentSpeech, type SpeechKind } from "./agent-speech.js";
import type { PlayoutSink } from "./call-audio.js";

const frameMs = 20;

/**
 * The agent's mouth: owns the speeches queued for the caller, runs one TTS worker per speech (in
 * order, sentence by sentence, through the retry base), hands audio to the sink, and pauses, resumes
 * or drops everything on barge-in. Audio and completion come back as frames on the queue, so the
 * pipeline handles them in order.
 */
export class SpeechPlayer {
  readonly #sink: PlayoutSink;
  readonly #tts: TtsProvider;
  readonly #queue: FrameQueue;
  readonly #clock: Clock;
  readonly #retry: Partial<RetryPolicy>;
  readonly #speeches: AgentSpeech[] = [];
  readonly #aborts = new Map<number, AbortController>();
  /** Audio of fixed phrases (filler, apology...) synthesized ahead, so they play even if TTS fails later. */
  readonly phraseAudio = new Map<
    string,
    { frames: AudioFrame[]; words: readonly WordTiming[] | undefined }
  >();
  #nextId = 1;
  paused = false;

  constructor(
    sink: PlayoutSink,
    tts: TtsProvider,
    queue: FrameQueue,
    clock: Clock,
    retry: Partial<RetryPolicy>,
  ) {
    this.#sink = sink;
    this.#tts = tts;
    this.#queue = queue;
    this.#clock = clock;
    this.#retry = retry;
  }

  get speeches(): readonly AgentSpeech[] {
    return this.#speeches;
  }

  get(id: number): AgentSpeech | undefined {
    return this.#speeches.find((s) => s.id === id);
  }

  /** A new speech, queued after the others; its TTS worker starts at once. */
  create(kind: SpeechKind, responseId: number | undefined, parent: AbortSignal): AgentSpeech {
    const speech = new AgentSpeech(this.#nextId++, kind, responseId);
    const abort = new AbortController();
    const onParentAbort = (): void => abort.abort(parent.reason);
    if (parent.aborted) abort.abort(parent.reason);
    else parent.addEventListener("abort", onParentAbort, { once: true });
    this.#aborts.set(speech.id, abort);
    this.#speeches.push(speech);
    void this.#synthesize(speech, abort.signal)
      .catch(() => undefined)
      .finally(() => parent.removeEventListener("abort", onParentAbort));
    return speech;
  }

  /** Synthesizes a phrase ahead of time (errors ignored: it will be synthesized when needed). */
  async prepare(text: string, signal: AbortSignal): Promise<void> {
    if (this.phraseAudio.has(text)) return;
    const frames: AudioFrame[] = [];
    let words: readonly WordTiming[] | undefined;
    const stream = retryingStream(
      () => this.#tts.synthesize({ text, sampleRateHz: this.#sink.sampleRateHz, signal }),
      { provider: this.#tts.name, clock: this.#clock, signal, policy: this.#retry },
    );
    for await (const chunk of stream) {
      frames.push(chunk.frame);
      words = chunk.words ?? words;
    }
    this.phraseAudio.set(text, { frames, words });
  }

  async #synthesize(speech: AgentSpeech, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const text = await speech.sentences.next(signal);
        if (text === undefined) break;
        const prepared = this.phraseAudio.get(text);
        let words = prepared?.words;
        if (prepared !== undefined) {
          for (const frame of prepared.frames)
            this.#queue.push({ kind: "tts_audio", speechId: speech.id, frame });
        } else {
          const stream = retryingStream(
            () => this.#tts.synthesize({ text, sampleRateHz: this.#sink.sampleRateHz, signal }),
            { provider: this.#tts.name, clock: this.#clock, signal, policy: this.#retry },
          );
          for await (const chunk of stream) {
            this.#queue.push({ kind: "tts_audio", speechId: speech.id, frame: chunk.frame });
            words = chunk.words ?? words;
          }
        }
        this.#queue.push({ kind: "tts_sentence_done", speechId: speech.id, text, words });
      }
      this.#queue.push({ kind: "tts_done", speechId: speech.id });
    } catch (error) {
      if (signal.aborted) return;
      this.#queue.push({
        kind: "engine_error",
        engine: "tts",
        responseId: speech.responseId,
        speechId: speech.id,
        error: asRingagentError(this.#tts.name, error),
      });
    }
  }

  /**
   * Adds TTS audio to its speech; starts playout if the speech was not playing yet (and we are not
   * paused). Returns the speech when this was its first frame handed to the sink.
   */
  addAudio(speechId: number, frame: AudioFrame): AgentSpeech | undefined {
    const speech = this.get(speechId);
    if (speech === undefined) return undefined;
    const wrote = speech.appendFrame(frame);
    if (!wrote && !this.paused) this.#begin(speech);
    if (!speech.started && speech.handle !== undefined) {
      speech.started = true;
      return speech;
    }
    return undefined;
  }

  #begin(speech: AgentSpeech): void {
    const handle = speech.begin(this.#sink);
    const serial = speech.handleSerial;
    void handle.finished.then((outcome) => {
      this.#queue.push({
        kind: "playout_done",
        speechId: speech.id,
        handleSerial: serial,
        completed: outcome.completed,
      });
    });
  }

  /**
   * TTS finished the speech. Returns true when the speech is complete already (nothing to play):
   * the caller then treats it as played.
   */
  finishAudio(speechId: number): boolean {
    const speech = this.get(speechId);
    if (speech === undefined) return false;
    speech.finishAudio();
    if (speech.frames.length === 0) {
      this.remove(speech);
      return true;
    }
    if (speech.handle === undefined && !this.paused) this.#begin(speech);
    return false;
  }

  remove(speech: AgentSpeech): void {
    const index = this.#speeches.indexOf(speech);
    if (index >= 0) this.#speeches.splice(index, 1);
    this.#aborts.get(speech.id)?.abort();
    this.#aborts.delete(speech.id);
  }

  /** Stops our audio at once (barge-in candidate): positions freeze, audio is kept for a resume. */
  pauseAll(): void {
    this.paused = true;
    this.#sink.flush();
    for (const speech of this.#speeches) if (speech.handle !== undefined) speech.pause();
  }

  /** A false interruption: play on from the word that was cut. */
  resumeAll(): void {
    this.paused = false;
    for (const speech of this.#speeches) {
      if (speech.frames.length > 0 || speech.audioDone) this.#begin(speech);
    }
  }

  /** Drops every speech (confirmed barge-in, engine failure); returns them for history trimming. */
  dropAll(): AgentSpeech[] {
    this.#sink.flush();
    const dropped = [...this.#speeches];
    for (const speech of dropped) {
      if (speech.handle !== undefined) speech.pause();
      this.remove(speech);
    }
    this.paused = false;
    return dropped;
  }

  /** Nothing audible is queued: every written frame has been played. */
  deadAir(): boolean {
    return this.#speeches.every((s) => s.unplayedMs() <= 0);
  }

  /** Everything submitted so far has been synthesized and played. */
  allPlayedOut(): boolean {
    return this.#speeches.every(
      (s) =>
        s.pendingSentences === 0 && s.unplayedMs() <= 0 && (s.handle !== undefined || s.frames.length === 0),
    );
  }

  /** Reports agent frames that left on the wire since the last call to the echo guard. */
  noteEcho(echo: EchoGuard, nowMs: number): void {
    for (const speech of this.#speeches) {
      const energies = speech.takeNewlyPlayed();
      for (let i = 0; i < energies.length; i++) {
        echo.notePlayed(energies[i] ?? -100, nowMs - (energies.length - 1 - i) * frameMs);
      }
    }
  }
}
