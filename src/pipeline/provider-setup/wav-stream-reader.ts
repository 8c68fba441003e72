/**
 * Reads a WAV delivered as a stream: collects bytes until the `data` chunk begins (walking the RIFF
 * chunks as pipeline/audio/wav-parse.ts does), then hands every later byte on as PCM16 at the rate
 * the header declared. Streamed WAVs write 0 or 0xFFFFFFFF as sizes; they are ignored.
 */
import { RingagentError } from "../../shared/index.js";

export class WavStreamReader {
  #head = new Uint8Array(0);
  #format: { rateHz: number; channels: number; bits: number; code: number } | undefined;
  sampleRateHz: number | undefined;

  /** Returns the PCM bytes in `chunk` (none while the header is still incomplete). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.sampleRateHz !== undefined) return chunk;
    const joined = new Uint8Array(this.#head.length + chunk.length);
    joined.set(this.#head);
    joined.set(chunk, this.#head.length);
    this.#head = joined;
    if (joined.length > 65_536) throw invalid("header too long");
    if (joined.length < 12) return new Uint8Array(0);
    const view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    const tag = (at: number): string => String.fromCharCode(...joined.subarray(at, at + 4));
    if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw invalid("not RIFF/WAVE");
    let offset = 12;
    while (offset + 8 <= joined.length) {
      const id = tag(offset);
      const size = view.getUint32(offset + 4, true);
      const body = offset + 8;
      if (id === "data") {
        const f = this.#format;
        if (f === undefined) throw invalid("data before fmt");
        if (f.code !== 1 || f.bits !== 16 || f.channels !== 1) throw invalid("not mono PCM16");
        this.sampleRateHz = f.rateHz;
        this.#head = new Uint8Array(0);
        return joined.subarray(body);
      }
      if (body + size > joined.length) return new Uint8Array(0); // wait for the rest of this chunk
      if (id === "fmt ") {
        if (size < 16) throw invalid("short fmt chunk");
        this.#format = {
          code: view.getUint16(body, true),
          channels: view.getUint16(body + 2, true),
          rateHz: view.getUint32(body + 4, true),
          bits: view.getUint16(body + 14, true),
        };
      }
      offset = body + size + (size % 2);
    }
    return new Uint8Array(0);
  }
}

const invalid = (why: string): RingagentError =>
  new RingagentError("tts_wav_invalid", `invalid WAV stream: ${why}`);
