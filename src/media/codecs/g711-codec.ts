/**
 * G.711 mu-law (PCMU, PT 0) and A-law (PCMA, PT 8), ITU-T G.711 with the classic Sun reference
 * algorithm (bias 0x84, segment search). Decoding uses 256-entry tables built from the exact expansion.
 */
import { RingagentError } from "../../shared/index.js";
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";
import type { AudioCodec, CodecCounters } from "./codec-types.js";
import { RepeatFadeConcealer } from "./frame-concealment.js";

const ulawBias = 0x84;
const ulawClip = 32635;

export function linearToUlaw(sample: number): number {
  let pcm = sample;
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  if (pcm > ulawClip) pcm = ulawClip;
  pcm += ulawBias;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + ulawBias;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ulawBias - t : t - ulawBias;
}

export function linearToAlaw(sample: number): number {
  let pcm = sample;
  let mask: number;
  if (pcm >= 0) mask = 0xd5;
  else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  if (pcm > 32767) pcm = 32767;
  // Segment end points of the 13-bit magnitude (pcm >> 3).
  const magnitude = pcm >> 3;
  let segment = 0;
  while (segment < 8 && magnitude > (0x20 << segment) - 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  let aval = segment << 4;
  aval |= segment < 2 ? (pcm >> 4) & 0x0f : (pcm >> (segment + 3)) & 0x0f;
  return aval ^ mask;
}

export function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) t += 8;
  else if (segment === 1) t += 0x108;
  else {
    t += 0x108;
    t <<= segment - 1;
  }
  return a & 0x80 ? t : -t;
}

const ulawDecodeTable = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
const alawDecodeTable = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));
// Full 16-bit -> 8-bit tables indexed by sample + 32768 (64 KiB each): exact for every input.
const ulawEncodeTable = Uint8Array.from({ length: 65536 }, (_, i) => linearToUlaw(i - 32768));
const alawEncodeTable = Uint8Array.from({ length: 65536 }, (_, i) => linearToAlaw(i - 32768));

class G711Codec implements AudioCodec {
  readonly clockRateHz = 8000;
  readonly sampleRateHz = 8000;
  readonly timestampUnitsPerFrame = 160;
  readonly counters: CodecCounters = { decodeErrors: 0, concealedFrames: 0 };
  private readonly concealer = new RepeatFadeConcealer(8000);

  constructor(
    readonly name: "PCMU" | "PCMA",
    private readonly encodeTable: Uint8Array,
    private readonly decodeTable: Int16Array,
  ) {}

  encode(frame: AudioFrame): Uint8Array {
    assertRate(frame, this.sampleRateHz);
    const out = new Uint8Array(frame.samples.length);
    this.encodeInto(frame, out, 0);
    return out;
  }

  encodeInto(frame: AudioFrame, out: Uint8Array, at: number): number {
    assertRate(frame, this.sampleRateHz);
    const samples = frame.samples;
    const n = samples.length;
    if (at < 0 || at + n > out.length) return -1;
    const table = this.encodeTable;
    // Samples are Int16 (index 0..65535 after the offset): `as number` skips a per-sample `?? 0`.
    for (let i = 0; i < n; i++) out[at + i] = table[(samples[i] as number) + 32768] as number;
    return n;
  }

  decode(payload: Uint8Array): AudioFrame[] {
    const samples = new Int16Array(payload.length);
    if (this.decodeInto(payload, samples, 0) <= 0) return [];
    return [{ samples, sampleRateHz: 8000 }];
  }

  decodeInto(payload: Uint8Array, out: Int16Array, at: number): number {
    const n = payload.length;
    if (n === 0) {
      this.counters.decodeErrors++;
      return 0;
    }
    if (at < 0 || at + n > out.length) return -1;
    const table = this.decodeTable;
    for (let i = 0; i < n; i++) out[at + i] = table[payload[i] as number] as number;
    this.concealer.remember(out, at, at + n);
    return n;
  }

  plc(): AudioFrame {
    this.counters.concealedFrames++;
    return this.concealer.conceal();
  }

  reset(): void {
    this.concealer.reset();
  }
}

export function assertRate(frame: AudioFrame, sampleRateHz: number): void {
  if (frame.sampleRateHz !== sampleRateHz || frame.samples.length !== samplesPerFrame(sampleRateHz)) {
    throw new RingagentError(
      "media_frame_format",
      `codec wants 20 ms at ${sampleRateHz} Hz, got ${frame.samples.length} at ${frame.sampleRateHz}`,
    );
  }
}

export function createPcmuCodec(): AudioCodec {
  return new G711Codec("PCMU", ulawEncodeTable, ulawDecodeTable);
}

export function createPcmaCodec(): AudioCodec {
  return new G711Codec("PCMA", alawEncodeTable, alawDecodeTable);
}
