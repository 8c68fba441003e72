import type { AudioFrame } from "../../media/index.js";
import {
  bargeInHasWords,
  confirmBargeIn,
  pauseForBargeIn,
  resumeAfterFalseInterruption,
} from "./barge-in-handler.js";
import { newTurn, turnText } from "./caller-turn.js";
import type { PipelineContext } from "./pipeline-context.js";

/**
 * The caller's side of turn-taking: each caller frame through the listener (VAD behind the echo
 * guard), speech start/stop, transcripts gathered into the turn, and endpointing (silence window plus
 * the STT final) that hands the turn to the agent. Caller speech over the agent starts a barge-in.
 */

/** The `caller_audio` frame. */
export function onCallerAudio(ctx: PipelineContext, frame: AudioFrame, atMs: number): void {
  ctx.player.noteEcho(ctx.echo, atMs);
  const heard = ctx.listener.hear(frame, atMs);
  if (heard.event === "speech_start") ctx.queue.push({ kind: "caller_started_speaking", atMs });
  if (heard.event === "speech_end") {
    ctx.queue.push({
      kind: "caller_stopped_speaking",
      atMs,
      lastVoicedAtMs: ctx.listener.lastVoicedAtMs,
    });
  }
  // Barge-in candidate: enough caller speech (above the echo gate) while the agent is talking or about to.
  if (
    ctx.bargeIn.enabled &&
    ctx.listener.speaking &&
    ctx.listener.voicedMs >= ctx.bargeIn.minSpeechMs &&
    ctx.state.is("agent_speaking", "agent_thinking")
  ) {
    pauseForBargeIn(ctx);
  }
  checkEndpoint(ctx);
  if (ctx.playoutWaiters.length > 0 && ctx.player.allPlayedOut()) ctx.releasePlayoutWaiters();
}

export function onCallerStarted(ctx: PipelineContext, atMs: number): void {
  ctx.events.emit("caller_speech", { speaking: true, atMs });
  if (ctx.state.is("listening")) {
    ctx.timers.cancel("idle");
    ctx.turn = newTurn();
    ctx.state.transition("caller_speaking");
    ctx.timers.set("max_speech", ctx.turnOptions.maxCallerSpeechMs);
  }
}

export function onCallerStopped(ctx: PipelineContext, atMs: number, lastVoicedAtMs: number): void {
  ctx.events.emit("caller_speech", { speaking: false, atMs });
  const enough = ctx.listener.voicedMs >= ctx.turnOptions.minSpeechMs;
  ctx.stt?.finalize();
  ctx.outstandingFinals++;
  if (!enough) {
    // Too short for a turn: a noise. Its transcript (if any) is ignored.
    ctx.discardFinals++;
    if (ctx.state.is("caller_speaking") && !ctx.turn.hadSpeech) {
      ctx.timers.cancel("max_speech");
      ctx.toListening();
    }
    return;
  }
  ctx.turn.hadSpeech = true;
  ctx.turn.lastVoicedAtMs = lastVoicedAtMs;
}

export function onTranscript(ctx: PipelineContext, text: string, final: boolean, atMs: number): void {
  ctx.events.emit("transcript", { text, final });
  if (final) {
    ctx.outstandingFinals = Math.max(0, ctx.outstandingFinals - 1);
    if (ctx.discardFinals > 0) {
      ctx.discardFinals--;
      return;
    }
    if (text.trim().length > 0) ctx.turn.finals.push(text.trim());
    ctx.turn.partial = "";
    ctx.turn.sttFinalAtMs = atMs;
  } else {
    ctx.turn.partial = text.trim();
  }
  if (ctx.state.is("barge_in_pending")) {
    if (bargeInHasWords(ctx)) confirmBargeIn(ctx);
    else if (final && !ctx.listener.speaking && ctx.finalsPending() === 0) resumeAfterFalseInterruption(ctx);
    return;
  }
  checkEndpoint(ctx);
}

/** Endpointing: silence window elapsed and the STT final is in (or did not come in time). */
function checkEndpoint(ctx: PipelineContext): void {
  if (ctx.listener.speaking || !ctx.turn.hadSpeech) return;
  const silenceMs = ctx.listener.silenceMs;
  const t = ctx.turnOptions;
  if (silenceMs < t.endpointSilenceMs) return;
  const waitedForFinal = silenceMs >= t.endpointSilenceMs + t.sttFinalTimeoutMs;
  if (ctx.finalsPending() > 0 && !waitedForFinal) return;
  if (ctx.state.is("caller_speaking")) {
    endOfTurn(ctx, "endpoint");
  } else if (ctx.state.is("barge_in_pending")) {
    // The caller stopped and no real words came: a backchannel or a noise.
    if (bargeInHasWords(ctx)) confirmBargeIn(ctx);
    else resumeAfterFalseInterruption(ctx);
  }
}

/** The `max_speech` timer: the caller spoke too long without a pause; acknowledge with what we have. */
export function onMaxSpeechTimer(ctx: PipelineContext): void {
  if (ctx.state.is("caller_speaking")) {
    if (ctx.finalsPending() === 0) ctx.stt?.finalize();
    endOfTurn(ctx, "max_speech");
  }
}

function endOfTurn(ctx: PipelineContext, reason: "endpoint" | "max_speech"): void {
  ctx.timers.cancel("max_speech");
  const text = turnText(ctx.turn);
  if (reason === "max_speech" && ctx.finalsPending() > 0) ctx.discardFinals = ctx.outstandingFinals;
  if (text.length === 0) {
    ctx.turn = newTurn();
    ctx.toListening();
    return;
  }
  ctx.reprompts = 0;
  ctx.state.transition("agent_thinking");
  ctx.queue.push({ kind: "user_turn", text, reason });
}
