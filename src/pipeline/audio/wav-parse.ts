import { RingagentError } from "../../shared/index.js";

export interface PcmAudio {
  readonly samples: Int16Array;
  readonly sampleRateHz: number;
}

/**
 * Parses a PCM16 RIFF/WAVE file (as flite and espeak-ng write it). A data chunk whose size is
 * unknown (0 or 0xFFFFFFFF, as streamed to stdout) runs to the end of the buffer. Multi-channel audio
 * keeps the first channel. Anything else is a typed error, never an exception of another kind.
 */
export function parseWav(bytes: Uint8Array): PcmAudio {
  const invalid = (why: string): RingagentError =>
    new RingagentError("tts_wav_invalid", `invalid WAV: ${why}`);
  if (bytes.length < 12) throw invalid("too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw invalid("not RIFF/WAVE");
  let offset = 12;
  let format: { channels: number; rateHz: number; bits: number; code: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw invalid("short fmt chunk");
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rateHz: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (format === undefined) throw invalid("data before fmt");
      if (format.code !== 1 || format.bits !== 16) throw invalid("not PCM16");
      if (format.channels < 1 || format.rateHz < 1000) throw invalid("bad channels or rate");
      const available = bytes.length - body;
      const length = size === 0 || size === 0xffffffff || size > available ? available : size;
      const frames = Math.floor(length / (2 * format.channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(body + i * 2 * format.channels, true);
      return { samples, sampleRateHz: format.rateHz };
    }
    offset = body + size + (size % 2);
  }
  throw invalid("no data chunk");
}
