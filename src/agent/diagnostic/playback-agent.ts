/**
 * The `playback` diagnostic agent: plays a WAV file to the caller (once and hang up, or looped until
 * the caller hangs up) and records the caller to `<recordDir>/<callId>.wav`.
 */
import { join } from "node:path";
import type { AudioFrame } from "../../media/index.js";
import type { Call } from "../../telephony/index.js";
import { readWavFrames, WavRecorder } from "./wav-frames.js";

export interface PlaybackAgentOptions {
  readonly file: string;
  readonly recordDir?: string | undefined;
  readonly hangupAfterPlay: boolean;
}

/** Records every frame of the call into a WAV once the call's audio ends. */
export async function recordCall(call: Call, path: string): Promise<void> {
  const recorder = new WavRecorder();
  for await (const frame of call.audio.frames()) recorder.add(frame);
  await recorder.write(path, call.audio.sampleRateHz);
}

export async function runPlaybackAgent(
  call: Call,
  options: PlaybackAgentOptions,
  frames?: readonly AudioFrame[],
): Promise<void> {
  const audio = frames ?? (await readWavFrames(options.file));
  const recording =
    options.recordDir === undefined ? undefined : recordCall(call, join(options.recordDir, `${call.id}.wav`));
  let ended = false;
  void call.ended.then(() => {
    ended = true;
  });
  do {
    const handle = call.audio.play(audio);
    await Promise.race([handle.finished, call.ended]);
  } while (!options.hangupAfterPlay && !ended);
  if (options.hangupAfterPlay && !ended) await call.hangup();
  await call.ended;
  await recording;
}
