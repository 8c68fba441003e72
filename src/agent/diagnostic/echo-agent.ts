/**
 * The `echo` diagnostic agent (like a PBX echo test): everything the caller says is played back
 * `delayMs` later. One long utterance whose source is the caller's own frames behind a line of
 * silence: the pacer drains it in real time, so the delay holds for the whole call.
 */
import { type AudioFrame, silentFrame } from "../../media/index.js";
import type { Call } from "../../telephony/index.js";

export interface EchoAgentOptions {
  readonly delayMs: number;
}

export const defaultEchoAgentOptions = { delayMs: 200 } as const satisfies EchoAgentOptions;

/** Frames of `source` delayed by `delayMs` (rounded to 20 ms) of leading silence. */
export async function* delayed(
  source: AsyncIterable<AudioFrame>,
  delayMs: number,
  sampleRateHz: number,
): AsyncGenerator<AudioFrame> {
  const leading = Math.round(delayMs / 20);
  for (let i = 0; i < leading; i++) yield silentFrame(sampleRateHz);
  yield* source;
}

export async function runEchoAgent(
  call: Call,
  options: EchoAgentOptions = defaultEchoAgentOptions,
): Promise<void> {
  const handle = call.audio.play(delayed(call.audio.frames(), options.delayMs, call.audio.sampleRateHz));
  // The utterance ends when the caller's frames end, i.e. when the call ends.
  await Promise.race([handle.finished, call.ended]);
  await call.ended;
}
