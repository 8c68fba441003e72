import type { AudioFrame } from "../../media/index.js";

export interface SttResult {
  readonly text: string;
  /** A final result will not change; partials may. */
  readonly final: boolean;
}

export interface SttStreamOptions {
  readonly sampleRateHz: number;
  readonly language: string;
  readonly signal: AbortSignal;
}

/**
 * One streaming recognition for one call. The pipeline writes caller speech (with a little audio
 * before the VAD start and after its end) and calls {@link SttStream.finalize} when the VAD decides the
 * caller stopped, so providers that can (Deepgram "Finalize", pocketsphinx end of utterance) return
 * the final result at once.
 */
export interface SttStream {
  write(frame: AudioFrame): void;
  finalize(): void;
  /** Results in order; ends when the stream is closed; throws a RingagentError on failure. */
  results(): AsyncIterable<SttResult>;
  close(): void;
}

export interface SttProvider {
  readonly name: string;
  open(options: SttStreamOptions): SttStream;
}
