import type { AudioFrame } from "../../media/index.js";
import type { WordTiming } from "../turn/heard-text.js";
import type { PipelineContext } from "./pipeline-context.js";
import { afterSpeechCompleted } from "./pipeline-ending.js";

/**
 * The agent's audio on its way out: TTS audio handed to the sink (the first frame of an utterance is
 * the wire-to-wire hook and completes the reply's metrics), sentence timings for the heard text, and
 * the end of TTS and of playout, after which the agent may be idle.
 */

/** The `tts_audio` frame. */
export function onTtsAudio(ctx: PipelineContext, speechId: number, frame: AudioFrame): void {
  const speech = ctx.player.get(speechId);
  if (speech === undefined) return;
  const owner = ctx.metrics.unreported(speech.responseId);
  if (owner !== undefined) owner.ttsFirstAudioAtMs ??= ctx.clock.nowMs();
  const first = ctx.player.addAudio(speechId, frame);
  if (first === undefined) return;
  const atMs = ctx.clock.nowMs();
  ctx.events.emit("agent_audio_started", { utteranceId: first.utteranceId, kind: first.kind, atMs });
  if (owner !== undefined) {
    owner.firstAudioToSinkAtMs ??= atMs;
    ctx.metrics.emit(owner, false);
  }
  if (ctx.state.is("agent_thinking", "listening", "starting")) ctx.state.transition("agent_speaking");
}

/** The `tts_sentence_done` frame: the sentence's word timings map playout position to heard words. */
export function onTtsSentenceDone(
  ctx: PipelineContext,
  speechId: number,
  text: string,
  words: readonly WordTiming[] | undefined,
): void {
  ctx.player.get(speechId)?.sentenceDone(text, words);
}

/** The `tts_done` frame: a speech that produced no audio at all counts as played. */
export function onTtsDone(ctx: PipelineContext, speechId: number): void {
  if (ctx.player.finishAudio(speechId)) afterSpeechCompleted(ctx);
}

/** The `playout_done` frame: the sink played a speech to its end (a paused handle is stale). */
export function onPlayoutDone(
  ctx: PipelineContext,
  speechId: number,
  handleSerial: number,
  completed: boolean,
): void {
  const speech = ctx.player.get(speechId);
  if (speech === undefined || speech.handleSerial !== handleSerial || !completed) return;
  ctx.player.remove(speech);
  if (speech.responseId !== undefined) ctx.replies.delete(speech.responseId);
  afterSpeechCompleted(ctx);
}
