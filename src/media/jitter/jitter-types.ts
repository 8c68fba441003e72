/** Types of the jitter buffer: plain RTP fields in (no dependency on the RTP module), frames out. */
import type { AudioFrame } from "../audio/audio-frame.js";

/** The fields of an RTP packet the jitter buffer needs (RFC 3550 5.1). */
export interface JitterPacket {
  readonly seq: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly payload: Uint8Array;
}

/** What the jitter buffer needs of a codec (a subset of AudioCodec). */
export interface JitterDecoder {
  readonly sampleRateHz: number;
  readonly clockRateHz: number;
  decode(payload: Uint8Array): AudioFrame[];
  plc(): AudioFrame;
}

export interface JitterBufferOptions {
  /** Lower bound of the adaptive target depth. */
  readonly minDepthMs: number;
  /** Upper bound of the adaptive target depth; more buffered than twice this is dropped as overflow. */
  readonly maxDepthMs: number;
  /**
   * Multiplier on the RFC 3550 interarrival jitter estimate for the target depth: target = one packet
   * plus this many times the jitter, to the nearest whole packet (a random arrival phase against our
   * 20 ms pull already gives half a packet of margin on average), within min/max.
   */
  readonly jitterFactor: number;
  /** Consecutive empty pulls after which playout stops and re-buffers to the target (end of talkspurt). */
  readonly rebufferAfterEmptyPulls: number;
  /** Pulls between two drift corrections (frame drop or insert). */
  readonly driftCooldownPulls: number;
}

/**
 * Defaults for a clean link: playout starts as soon as one packet is in (20 ms floor) and the target
 * grows with measured jitter; an underrun shifts playout back one frame by itself, and a depth that
 * stays high is trimmed by the drift correction. Every ms here is added to end-of-speech detection
 * and barge-in onset (design.md: barge-in <= 150 ms on the wire), so the floor stays low.
 */
export const defaultJitterBufferOptions = {
  minDepthMs: 20,
  maxDepthMs: 200,
  jitterFactor: 3,
  rebufferAfterEmptyPulls: 5,
  driftCooldownPulls: 25,
} as const satisfies JitterBufferOptions;

export type PushOutcome = "accepted" | "late" | "duplicate" | "malformed";

export interface JitterBufferStats {
  /** Audio waiting to play: decoded samples plus the span of buffered packets. */
  depthMs: number;
  targetDepthMs: number;
  /** RFC 3550 6.4.1 interarrival jitter estimate. */
  jitterMs: number;
  received: number;
  played: number;
  late: number;
  lost: number;
  duplicates: number;
  reordered: number;
  concealed: number;
  /** pull() calls answered while not playing (start-up or re-buffering). */
  silentPulls: number;
  /** Frames dropped because the depth stayed above target (sender clock faster than ours). */
  driftDropped: number;
  /** Frames inserted because the depth stayed below target (sender clock slower than ours). */
  driftInserted: number;
  overflowDropped: number;
  malformed: number;
  resets: number;
}
