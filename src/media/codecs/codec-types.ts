/** One interface for every audio codec at the media edge (RTP payload <-> internal 20 ms PCM16 frames). */
import type { AudioFrame } from "../audio/audio-frame.js";

export interface CodecCounters {
  /** Payloads that could not be decoded (dropped; the jitter buffer conceals instead). */
  decodeErrors: number;
  /** Frames produced by plc(). */
  concealedFrames: number;
}

export interface AudioCodec {
  /** SDP encoding name as we write it (RFC 3551 / RFC 7587), e.g. "PCMU", "G722", "opus". */
  readonly name: string;
  /** RTP timestamp clock (8000 for G.722 per RFC 3551 4.5.2, 48000 for Opus per RFC 7587 4.1). */
  readonly clockRateHz: number;
  /** Rate of the PCM frames this codec takes and gives. */
  readonly sampleRateHz: number;
  /** RTP timestamp units per 20 ms frame. */
  readonly timestampUnitsPerFrame: number;
  readonly counters: Readonly<CodecCounters>;
  /** One 20 ms frame at `sampleRateHz` -> one RTP payload. */
  encode(frame: AudioFrame): Uint8Array;
  /** One RTP payload -> zero or more frames at `sampleRateHz` (a 30 ms G.711 packet gives one 30 ms frame).
   * Never throws: undecodable payloads give [] and count a decode error. */
  decode(payload: Uint8Array): AudioFrame[];
  /**
   * Optional allocation-free encode: writes the payload of one 20 ms frame to `out` from `at` and
   * returns its length, or -1 (nothing written) when it would not fit in `out`.
   */
  encodeInto?(frame: AudioFrame, out: Uint8Array, at: number): number;
  /**
   * Optional allocation-free decode: writes the samples of `payload` to `out` from `at` and returns
   * their count; 0 for an undecodable payload (a decode error is counted), -1 (nothing written, no
   * state changed) when they would not fit in `out`. Never throws.
   */
  decodeInto?(payload: Uint8Array, out: Int16Array, at: number): number;
  /** A 20 ms frame that stands in for one lost frame. */
  plc(): AudioFrame;
  /** Forget decoder/encoder history (new stream, e.g. after an SSRC change). */
  reset(): void;
}
