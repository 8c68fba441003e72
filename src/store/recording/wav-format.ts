/**
 * 16-bit PCM WAV (RIFF) encoding and parsing, plain Node. The parser walks the chunks (skipping
 * unknown ones such as LIST), accepts only PCM 16-bit, and clamps the data chunk to the bytes that
 * are really in the file, so a recording cut short by a crash still parses.
 */
import { readFile, writeFile } from "node:fs/promises";
import { RingagentError } from "../../shared/index.js";

export const wavHeaderBytes = 44;

export interface WavFormat {
  channels: number;
  sampleRateHz: number;
}

export interface WavAudio extends WavFormat {
  /** Interleaved samples (frame 0 channel 0, frame 0 channel 1, ...). */
  samples: Int16Array;
  /** Sample frames (samples per channel). */
  frames: number;
  durationMs: number;
  /** The data size the header declares (may exceed what the file holds after a crash). */
  declaredDataBytes: number;
}

/** The canonical 44-byte header for `dataBytes` of 16-bit PCM. */
export function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(wavHeaderBytes);
  const blockAlign = format.channels * 2;
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRateHz, 24);
  header.writeUInt32LE(format.sampleRateHz * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Little-endian bytes of `samples` (independent of the host's byte order). */
export function pcm16Bytes(samples: Int16Array, count = samples.length): Buffer {
  const out = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) out.writeInt16LE(samples[i] ?? 0, i * 2);
  return out;
}

export function encodeWav(format: WavFormat, samples: Int16Array): Buffer {
  return Buffer.concat([wavHeader(format, samples.length * 2), pcm16Bytes(samples)]);
}

function invalid(reason: string): RingagentError {
  return new RingagentError("wav_invalid", `not a 16-bit PCM WAV file: ${reason}`);
}

export function parseWav(bytes: Buffer): WavAudio {
  if (
    bytes.length < 12 ||
    bytes.toString("ascii", 0, 4) !== "RIFF" ||
    bytes.toString("ascii", 8, 12) !== "WAVE"
  ) {
    throw invalid("no RIFF/WAVE header");
  }
  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("ascii", offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw invalid("short fmt chunk");
      const audioFormat = bytes.readUInt16LE(body);
      const channels = bytes.readUInt16LE(body + 2);
      const sampleRateHz = bytes.readUInt32LE(body + 4);
      const bits = bytes.readUInt16LE(body + 14);
      if (audioFormat !== 1 || bits !== 16) throw invalid(`format ${audioFormat}, ${bits} bits`);
      if (channels < 1 || sampleRateHz < 1) throw invalid("no channels or sample rate");
      format = { channels, sampleRateHz };
    } else if (id === "data") {
      if (format === undefined) throw invalid("data before fmt");
      const blockAlign = format.channels * 2;
      const available = Math.min(size, bytes.length - body);
      const frames = Math.floor(available / blockAlign);
      const samples = new Int16Array(frames * format.channels);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(body + i * 2);
      return {
        ...format,
        samples,
        frames,
        durationMs: (frames * 1000) / format.sampleRateHz,
        declaredDataBytes: size,
      };
    }
    offset = body + size + (size % 2);
  }
  throw invalid("no data chunk");
}

/** Channel `channel` of interleaved `audio`. */
export function channelSamples(audio: WavAudio, channel: number): Int16Array {
  const out = new Int16Array(audio.frames);
  for (let i = 0; i < audio.frames; i++) out[i] = audio.samples[i * audio.channels + channel] ?? 0;
  return out;
}

export async function readWavFile(path: string): Promise<WavAudio> {
  return parseWav(await readFile(path));
}

export async function writeMonoWavFile(
  path: string,
  samples: Int16Array,
  sampleRateHz: number,
): Promise<void> {
  await writeFile(path, encodeWav({ channels: 1, sampleRateHz }, samples));
}
