import type { AudioFrame } from "../../media/index.js";
import { FakeClock, silentLogger } from "../../shared/index.js";
import { ConversationPipeline, type PipelineEnd } from "../conversation/conversation-pipeline.js";
import type { ConversationPipelineOptions, PipelineEvents } from "../conversation/pipeline-options.js";
import { FakeCallAudio } from "./fake-call-audio.js";
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider } from "./fake-engines.js";
import { FakePlayoutSink, type SentFrame } from "./fake-playout-sink.js";
import { mixFrames, noiseFrame, voicedFrame } from "./test-signals.js";

export interface HarnessOptions {
  readonly sampleRateHz?: number;
  /** Echo of our own voice in the caller's audio: gain (0 = none) and delay. */
  readonly echoGain?: number;
  readonly echoDelayMs?: number;
  /** Caller speech level (dBFS). */
  readonly callerLevelDb?: number;
  readonly pipeline?: Partial<Omit<ConversationPipelineOptions, "callAudio" | "sink" | "clock" | "logger">>;
}

export type LoggedEvent = {
  [K in keyof PipelineEvents]: { name: K; atMs: number; payload: PipelineEvents[K] };
}[keyof PipelineEvents];

/**
 * Drives a {@link ConversationPipeline} with fake engines on a {@link FakeClock}: a test scripts what
 * the caller says (`say`, `silence`), runs time forward in 20 ms steps, and inspects what left the
 * sink, the history and the events.
 */
export class PipelineHarness {
  readonly clock = new FakeClock();
  readonly sampleRateHz: number;
  readonly sink: FakePlayoutSink;
  readonly callAudio: FakeCallAudio;
  readonly stt: FakeSttProvider;
  readonly llm: FakeLlmProvider;
  readonly tts: FakeTtsProvider;
  readonly pipeline: ConversationPipeline;
  readonly log: LoggedEvent[] = [];
  ended: PipelineEnd | undefined;
  readonly #script: Array<{ kind: "speech" | "silence"; remainingMs: number }> = [];
  readonly #sentByTime = new Map<number, AudioFrame>();
  readonly #echoGain: number;
  readonly #echoDelayMs: number;
  readonly #callerLevelDb: number;
  #frameIndex = 0;

  constructor(options: HarnessOptions = {}) {
    this.sampleRateHz = options.sampleRateHz ?? 16000;
    this.sink = new FakePlayoutSink(this.clock, this.sampleRateHz);
    this.callAudio = new FakeCallAudio(this.sampleRateHz);
    this.stt = new FakeSttProvider(this.clock);
    this.llm = new FakeLlmProvider(this.clock);
    this.tts = new FakeTtsProvider(this.clock);
    this.#echoGain = options.echoGain ?? 0;
    this.#echoDelayMs = options.echoDelayMs ?? 100;
    this.#callerLevelDb = options.callerLevelDb ?? -18;
    this.sink.onSent((sent: SentFrame) => this.#sentByTime.set(sent.atMs, sent.frame));
    this.pipeline = new ConversationPipeline({
      callAudio: this.callAudio,
      sink: this.sink,
      stt: this.stt,
      llm: this.llm,
      tts: this.tts,
      clock: this.clock,
      logger: silentLogger(),
      ...options.pipeline,
    });
    const names: Array<keyof PipelineEvents> = [
      "transcript",
      "user_turn",
      "agent_text",
      "agent_audio_started",
      "caller_speech",
      "interrupt",
      "resumed",
      "turn_metrics",
      "engine_error",
      "ended",
    ];
    for (const name of names) {
      this.pipeline.events.on(name, (payload) => {
        this.log.push({ name, atMs: this.clock.nowMs(), payload } as LoggedEvent);
      });
    }
  }

  start(): void {
    void this.pipeline.start().then((end) => {
      this.ended = end;
    });
  }

  /** The caller speaks for `durationMs`; the fake STT will recognize `text` for this segment. */
  say(text: string, durationMs: number): this {
    if (text.length > 0) this.stt.expect(text);
    this.#script.push({ kind: "speech", remainingMs: durationMs });
    return this;
  }

  silence(durationMs: number): this {
    this.#script.push({ kind: "silence", remainingMs: durationMs });
    return this;
  }

  /** Runs `durationMs` of call time (then keeps feeding background noise if the script ran out). */
  async run(durationMs: number): Promise<void> {
    for (let t = 0; t < durationMs; t += 20) {
      this.callAudio.push(this.#nextCallerFrame());
      this.clock.advance(20);
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Runs until `predicate` holds or `maxMs` passes; returns whether it held. */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<boolean> {
    for (let t = 0; t < maxMs; t += 20) {
      if (predicate()) return true;
      await this.run(20);
    }
    return predicate();
  }

  events<K extends keyof PipelineEvents>(name: K): Array<PipelineEvents[K]> {
    return this.log.filter((e) => e.name === name).map((e) => e.payload as PipelineEvents[K]);
  }

  firstEventAt(name: keyof PipelineEvents): number | undefined {
    return this.log.find((e) => e.name === name)?.atMs;
  }

  /** Agent frames sent for utterances of speech `kind` ("response", "filler"...), from the sink log. */
  sentUtterances(): string[] {
    const ids: string[] = [];
    for (const s of this.sink.sent) if (ids.at(-1) !== s.utteranceId) ids.push(s.utteranceId);
    return ids;
  }

  stop(): void {
    this.sink.stop();
    this.pipeline.cancel("cancelled");
  }

  #nextCallerFrame(): AudioFrame {
    const index = this.#frameIndex++;
    let frame = noiseFrame(this.sampleRateHz, index);
    const step = this.#script[0];
    if (step !== undefined) {
      if (step.kind === "speech")
        frame = mixFrames(frame, voicedFrame(this.sampleRateHz, index, this.#callerLevelDb));
      step.remainingMs -= 20;
      if (step.remainingMs <= 0) this.#script.shift();
    }
    if (this.#echoGain > 0) {
      const echo = this.#sentByTime.get(this.clock.nowMs() - this.#echoDelayMs);
      if (echo !== undefined) frame = mixFrames(frame, echo, this.#echoGain);
    }
    return frame;
  }
}
