/**
 * Which engine work is in flight during a simulation. The virtual clock may only race ahead while no
 * engine is working: an LLM or TTS stream waiting for its next item, or an STT stream between
 * `finalize()` and its final result, runs on real time (real processes, real sockets), so while any
 * is pending the simulation lets virtual time flow at the real rate.
 */
import type {
  LlmEvent,
  LlmProvider,
  LlmRequest,
  SttProvider,
  SttResult,
  SttStream,
  SttStreamOptions,
  TtsChunk,
  TtsProvider,
  TtsRequest,
} from "../../pipeline/index.js";

export class EngineActivity {
  #pending = 0;

  /** True while some engine is producing something the pipeline waits for. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  llm(inner: LlmProvider): LlmProvider {
    return {
      name: inner.name,
      stream: (request: LlmRequest): AsyncIterable<LlmEvent> => this.#track(() => inner.stream(request)),
    };
  }

  tts(inner: TtsProvider): TtsProvider {
    return {
      name: inner.name,
      voice: inner.voice,
      synthesize: (request: TtsRequest): AsyncIterable<TtsChunk> =>
        this.#track(() => inner.synthesize(request)),
    };
  }

  stt(inner: SttProvider): SttProvider {
    return {
      name: inner.name,
      open: (options: SttStreamOptions): SttStream => {
        const stream = inner.open(options);
        let awaitingFinal = false;
        const settle = (): void => {
          if (!awaitingFinal) return;
          awaitingFinal = false;
          this.#pending--;
        };
        const activity = this;
        return {
          write: (frame) => stream.write(frame),
          finalize: () => {
            if (!awaitingFinal) {
              awaitingFinal = true;
              activity.#pending++;
            }
            stream.finalize();
          },
          close: () => {
            settle();
            stream.close();
          },
          async *results(): AsyncIterable<SttResult> {
            try {
              for await (const result of stream.results()) {
                if (result.final) settle();
                yield result;
              }
            } finally {
              settle();
            }
          },
        };
      },
    };
  }

  /** Counts the stream as pending while the consumer waits on its next item. */
  async *#track<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
    const iterator = open()[Symbol.asyncIterator]();
    try {
      for (;;) {
        this.#pending++;
        let next: IteratorResult<T>;
        try {
          next = await iterator.next();
        } finally {
          this.#pending--;
        }
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
}
