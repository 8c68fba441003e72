/**
 * The seams between a call's media (telephony) and its pipeline. Telephony implements both; the
 * pipeline never sees RTP.
 */
import type { AudioFrame } from "../../media/index.js";

/** The caller's audio: one 20 ms frame every 20 ms (with concealment during loss) until the call ends. */
export interface CallAudio {
  readonly sampleRateHz: number;
  /** Ends when the call's media ends (the caller hung up or the call was torn down). */
  frames(): AsyncIterable<AudioFrame>;
}

export interface PlayoutPosition {
  /** The utterance that was playing, if any. */
  readonly utteranceId: string | undefined;
  /** ms of it that actually left on the wire. */
  readonly playedMs: number;
}

export interface PlayoutOutcome {
  /** True when every frame was sent; false when flushed first. */
  readonly completed: boolean;
  readonly playedMs: number;
}

/** One agent utterance being played. Frames are appended while TTS produces them. */
export interface UtteranceHandle {
  readonly utteranceId: string;
  /** Queues 20 ms of audio at the sink's rate. */
  write(frame: AudioFrame): void;
  /** No more audio will be written; `finished` resolves once the last frame is sent. */
  end(): void;
  /** Playout position: ms of this utterance sent on the wire so far (frozen once finished). */
  positionMs(): number;
  readonly finished: Promise<PlayoutOutcome>;
}

/**
 * Where agent audio goes: a paced queue in front of the media session. Utterances play one after
 * another in the order `play()` was called.
 */
export interface PlayoutSink {
  readonly sampleRateHz: number;
  play(utterance: { readonly utteranceId: string }): UtteranceHandle;
  /**
   * Stops at once: drops every queued frame of every utterance (each handle's `finished` resolves
   * with completed=false) and reports the position of the utterance that was playing.
   */
  flush(): PlayoutPosition;
}
