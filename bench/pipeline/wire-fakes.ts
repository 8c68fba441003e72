/** Zero-latency engines for the wire bench: what is left is endpointing and our own overhead. */
import type { ProviderFactory } from "../../src/agent/index.js";
import {
  FakeLlmProvider,
  FakeTtsProvider,
  type SttProvider,
  type SttResult,
  type SttStream,
  type TtsChunk,
  type TtsProvider,
  type TtsRequest,
} from "../../src/pipeline/index.js";
import { systemClock } from "../../src/shared/index.js";

/** Zero-latency STT: the final arrives the moment the pipeline finalizes. */
class InstantStt implements SttProvider {
  constructor(private readonly question: string) {}
  readonly name = "instant-stt";
  open(): SttStream {
    const queue: SttResult[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    let heard = 0;
    return {
      write: () => {
        heard++;
      },
      finalize: () => {
        queue.push({ text: heard > 5 ? this.question : "", final: true });
        heard = 0;
        wake?.();
      },
      close: () => {
        closed = true;
        wake?.();
      },
      async *results() {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (closed) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
    };
  }
}

/** The fake TTS with its audio computed once per text: zero latency means no synthesis cost either. */
class CachedFakeTts implements TtsProvider {
  readonly name = "fake-tts-cached";
  readonly voice = "tone";
  readonly #fake = new FakeTtsProvider(systemClock);
  readonly #cache = new Map<string, TtsChunk[]>();

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    const key = `${request.sampleRateHz}:${request.text}`;
    let chunks = this.#cache.get(key);
    if (chunks === undefined) {
      chunks = [];
      for await (const chunk of this.#fake.synthesize(request)) chunks.push(chunk);
      this.#cache.set(key, chunks);
    }
    yield* chunks;
  }
}

export function fakeProviders(question: string): ProviderFactory {
  const tts = new CachedFakeTts();
  const stt = new InstantStt(question);
  return {
    shared: () => ({ stt, tts }),
    llm: () => {
      const llm = new FakeLlmProvider(systemClock);
      llm.reply = () => ({
        text: "We're open Monday to Friday, from nine in the morning to five in the evening, and on Saturday mornings.",
      });
      return llm;
    },
  };
}
