/**
 * Fake STT, LLM and TTS providers for pipeline tests and benchmarks, driven by a Clock (a delay of 0
 * means "at once", without a timer). Each can be told to fail.
 */
import { type AudioFrame, samplesPerFrame } from "../../media/index.js";
import { type Clock, RingagentError, sleep } from "../../shared/index.js";
import { AsyncChannel } from "../base/async-channel.js";
import type { ChatMessage, ToolCall } from "../history/conversation-history.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../llm/llm-types.js";
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../stt/stt-types.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../tts/tts-types.js";
import type { WordTiming } from "../turn/heard-text.js";

async function wait(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (delayMs > 0) await sleep(clock, delayMs, signal);
}

// ------------------------------------------------------------------------------------------ STT

/**
 * Recognizes what the test says the caller said: `expect(text)` queues the transcript of the next
 * speech segment. A partial (the whole text) comes after `partialAfterMs` of audio; the final after
 * `finalize()` (+ `finalDelayMs`). A segment nobody announced (noise, echo) is recognized as "".
 */
export class FakeSttProvider implements SttProvider {
  readonly name = "fake-stt";
  readonly #clock: Clock;
  readonly #expected: string[] = [];
  partialAfterMs = 200;
  finalDelayMs = 0;
  /** When set, the results stream fails with this error at the next write. */
  failWith: RingagentError | undefined;
  finalizeCount = 0;
  writtenMs = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  expect(text: string): void {
    this.#expected.push(text);
  }

  open(options: SttStreamOptions): SttStream {
    const channel = new AsyncChannel<SttResult | RingagentError>();
    let segmentMs = 0;
    let partialSent = false;
    let closed = false;
    const provider = this;
    return {
      write(frame: AudioFrame): void {
        if (closed) return;
        if (provider.failWith !== undefined) {
          channel.push(provider.failWith);
          closed = true;
          return;
        }
        const ms = (frame.samples.length / frame.sampleRateHz) * 1000;
        segmentMs += ms;
        provider.writtenMs += ms;
        const next = provider.#expected[0];
        if (!partialSent && next !== undefined && segmentMs >= provider.partialAfterMs) {
          partialSent = true;
          channel.push({ text: next, final: false });
        }
      },
      finalize(): void {
        if (closed) return;
        provider.finalizeCount++;
        const text = segmentMs >= 100 ? (provider.#expected.shift() ?? "") : "";
        segmentMs = 0;
        partialSent = false;
        void wait(provider.#clock, provider.finalDelayMs, options.signal)
          .then(() => channel.push({ text, final: true }))
          .catch(() => undefined);
      },
      async *results(): AsyncIterable<SttResult> {
        for (;;) {
          const item = await channel.next();
          if (item === undefined) return;
          if (item instanceof RingagentError) throw item;
          yield item;
        }
      },
      close(): void {
        closed = true;
        channel.close();
      },
    };
  }
}

// ------------------------------------------------------------------------------------------ LLM

export interface FakeReply {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCall[];
  /** Before the first token. */
  readonly firstTokenDelayMs?: number;
  /** Throws this instead of replying (after the delay). */
  readonly error?: RingagentError;
}

export type FakeReplyPolicy = (messages: readonly ChatMessage[], requestIndex: number) => FakeReply;

/** Echoes the caller ("You said ..."), or follows `reply`. Tokens are words. */
export class FakeLlmProvider implements LlmProvider {
  readonly name = "fake-llm";
  readonly #clock: Clock;
  readonly requests: Array<readonly ChatMessage[]> = [];
  reply: FakeReplyPolicy = (messages) => {
    const last = [...messages].reverse().find((m) => m.role === "user");
    return { text: `You said ${last?.content ?? "nothing"}.` };
  };

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    this.requests.push(request.messages.map((m) => ({ ...m })));
    const reply = this.reply(request.messages, this.requests.length - 1);
    await wait(this.#clock, reply.firstTokenDelayMs ?? 0, request.signal);
    if (reply.error !== undefined) throw reply.error;
    const words = (reply.text ?? "").split(" ").filter((w) => w.length > 0);
    for (let i = 0; i < words.length; i++)
      yield { kind: "text", text: i === 0 ? (words[i] ?? "") : ` ${words[i]}` };
    for (const call of reply.toolCalls ?? []) yield { kind: "tool_call", call };
  }
}

// ------------------------------------------------------------------------------------------ TTS

/** Milliseconds of fake speech per character of a word. */
export const fakeMsPerChar = 60;
const gapMs = 40;

/**
 * "Speaks" each word as a 220 Hz tone of 60 ms per character (at about -15 dBFS) followed by 40 ms
 * of silence, with exact word timings, after `firstAudioDelayMs`.
 */
export class FakeTtsProvider implements TtsProvider {
  readonly name = "fake-tts";
  readonly voice = "tone";
  readonly #clock: Clock;
  firstAudioDelayMs = 0;
  /** Texts for which synthesis fails. */
  failWhen: (text: string) => boolean = () => false;
  readonly requests: string[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    this.requests.push(request.text);
    await wait(this.#clock, this.firstAudioDelayMs, request.signal);
    if (this.failWhen(request.text)) {
      throw new RingagentError("fake_tts_failed", "fake TTS failure", { retryable: false });
    }
    const { frames, words } = fakeSpeech(request.text, request.sampleRateHz);
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i] as AudioFrame;
      yield i === 0 ? { frame, words } : { frame };
    }
  }
}

/** The audio FakeTtsProvider makes for `text`, and its word timings. */
export function fakeSpeech(
  text: string,
  sampleRateHz: number,
): { frames: AudioFrame[]; words: WordTiming[] } {
  const n = samplesPerFrame(sampleRateHz);
  const words: WordTiming[] = [];
  const pcm: number[] = [];
  let atMs = 0;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const toneMs = Math.max(20, word.length * fakeMsPerChar);
    words.push({ word, startMs: atMs, endMs: atMs + toneMs });
    const toneSamples = (toneMs * sampleRateHz) / 1000;
    for (let i = 0; i < toneSamples; i++)
      pcm.push(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / sampleRateHz)));
    for (let i = 0; i < (gapMs * sampleRateHz) / 1000; i++) pcm.push(0);
    atMs += toneMs + gapMs;
  }
  const frames: AudioFrame[] = [];
  for (let start = 0; start < pcm.length; start += n) {
    const samples = new Int16Array(n);
    for (let i = 0; i < n && start + i < pcm.length; i++) samples[i] = pcm[start + i] ?? 0;
    frames.push({ samples, sampleRateHz });
  }
  return { frames, words };
}
