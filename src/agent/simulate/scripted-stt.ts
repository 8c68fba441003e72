/**
 * Text mode's "recognizer": the caller's lines are known, so the STT step is bypassed. Each speech
 * segment the pipeline finalizes is recognized as the next queued line, exactly (a final result only).
 */
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../../pipeline/index.js";

/** Segments shorter than this are noise: recognized as "" and no line is used up. */
const minSegmentMs = 100;

export class ScriptedSttProvider implements SttProvider {
  readonly name = "text";
  readonly #lines: string[] = [];

  /** The next speech segment is recognized as `text`. */
  expect(text: string): void {
    this.#lines.push(text);
  }

  open(options: SttStreamOptions): SttStream {
    const queue: SttResult[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    let segmentMs = 0;
    const lines = this.#lines;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    options.signal.addEventListener("abort", () => {
      closed = true;
      notify();
    });
    return {
      write(frame) {
        segmentMs += (frame.samples.length / frame.sampleRateHz) * 1000;
      },
      finalize() {
        const text = segmentMs >= minSegmentMs ? (lines.shift() ?? "") : "";
        segmentMs = 0;
        queue.push({ text, final: true });
        notify();
      },
      close() {
        closed = true;
        notify();
      },
      async *results(): AsyncIterable<SttResult> {
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
