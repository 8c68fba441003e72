import type { AudioFrame } from "../../media/index.js";
import { AsyncChannel } from "../base/async-channel.js";
import type { CallAudio } from "../conversation/call-audio.js";

/** Caller audio pushed by a test, one frame at a time; `hangUp()` ends the stream. */
export class FakeCallAudio implements CallAudio {
  readonly sampleRateHz: number;
  readonly #channel = new AsyncChannel<AudioFrame>();

  constructor(sampleRateHz = 16000) {
    this.sampleRateHz = sampleRateHz;
  }

  push(frame: AudioFrame): void {
    this.#channel.push(frame);
  }

  hangUp(): void {
    this.#channel.close();
  }

  async *frames(): AsyncIterable<AudioFrame> {
    for (;;) {
      const frame = await this.#channel.next();
      if (frame === undefined) return;
      yield frame;
    }
  }
}
