import type { AudioFrame } from "../../media/index.js";
import type { WordTiming } from "../turn/heard-text.js";

export interface TtsChunk {
  /** 20 ms at the requested rate. */
  readonly frame: AudioFrame;
  /** Word timings relative to the start of this synthesis, when the provider knows them. */
  readonly words?: readonly WordTiming[];
}

export interface TtsRequest {
  readonly text: string;
  readonly sampleRateHz: number;
  readonly signal: AbortSignal;
}

/** Text to speech, streamed as 20 ms frames; the pipeline calls it once per sentence. */
export interface TtsProvider {
  readonly name: string;
  /** Identifies the voice in cache keys (e.g. "slt"). */
  readonly voice: string;
  synthesize(request: TtsRequest): AsyncIterable<TtsChunk>;
}
