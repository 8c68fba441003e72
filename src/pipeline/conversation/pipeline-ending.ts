import type { EndReason, PipelineFrame } from "../frames/pipeline-frame.js";
import { dropAgentOutput } from "./barge-in-handler.js";
import type { PipelineContext, PipelineEnd } from "./pipeline-context.js";

/**
 * How a call's conversation ends (Pipecat's distinction): the ordered end ("say goodbye, then hang
 * up": what is queued plays to the end, then the pipeline ends), the immediate cancel (the caller
 * hung up: everything stops now), and an engine failure (an apology, then the ordered end with the
 * fallback action for the agent layer).
 */

/** A speech finished (or a reply produced nothing): the agent may now be idle, or the call over. */
export function afterSpeechCompleted(ctx: PipelineContext): void {
  if (ctx.player.allPlayedOut()) ctx.releasePlayoutWaiters();
  if (ctx.player.speeches.length > 0) return;
  if (ctx.state.is("ending")) {
    if (ctx.response === undefined) finish(ctx, ctx.endReason, false);
    return;
  }
  if (ctx.response !== undefined) {
    if (ctx.state.is("agent_speaking")) ctx.state.transition("agent_thinking");
    return;
  }
  if (ctx.state.is("agent_speaking", "agent_thinking", "starting")) ctx.toListening();
}

/** The `end` frame (ordered): the goodbye is queued behind what is playing; the end follows playout. */
export function onEnd(ctx: PipelineContext, reason: EndReason, goodbye: string | undefined): void {
  if (ctx.state.is("ending")) return;
  if (ctx.state.is("barge_in_pending")) ctx.player.resumeAll();
  ctx.endReason = reason;
  for (const kind of ["idle", "false_interruption", "max_speech"] as const) ctx.timers.cancel(kind);
  ctx.state.transition("ending");
  if (goodbye !== undefined && goodbye.length > 0) ctx.speakPhrase("goodbye", goodbye, true);
  afterSpeechCompleted(ctx);
}

/** An engine failed past its retries: drop the reply, apologise, then end with the fallback action. */
export function onEngineError(ctx: PipelineContext, frame: PipelineFrame & { kind: "engine_error" }): void {
  ctx.events.emit("engine_error", { engine: frame.engine, code: frame.error.code });
  ctx.log.warn(
    { engine: frame.engine, code: frame.error.code, retryable: frame.error.retryable },
    "engine failed",
  );
  if (ctx.state.is("ending")) {
    // Even the goodbye or apology failed: end without it.
    const speech = frame.speechId === undefined ? undefined : ctx.player.get(frame.speechId);
    if (speech !== undefined) ctx.player.remove(speech);
    afterSpeechCompleted(ctx);
    return;
  }
  const response = ctx.response;
  dropAgentOutput(ctx);
  if (response !== undefined) ctx.metrics.emit(response, false);
  ctx.fallbackAction = ctx.behaviour.fallbackAction;
  ctx.timers.cancel("false_interruption");
  ctx.timers.cancel("max_speech");
  ctx.endReason = "engine_failure";
  ctx.state.transition("ending");
  ctx.speakPhrase("apology", ctx.behaviour.apology, true);
}

/** The pipeline ends: `immediate` (cancel) also flushes what is still playing. Idempotent. */
export function finish(ctx: PipelineContext, reason: EndReason, immediate: boolean): void {
  if (ctx.state.is("ended")) return;
  ctx.state.transition("ended");
  if (immediate) ctx.sink.flush();
  ctx.timers.cancelAll();
  ctx.response?.abort.abort();
  ctx.abort.abort();
  ctx.stt?.close();
  ctx.queue.close();
  ctx.releasePlayoutWaiters();
  const end: PipelineEnd = {
    reason,
    fallbackAction: reason === "engine_failure" ? ctx.fallbackAction : undefined,
  };
  ctx.events.emit("ended", end);
  ctx.resolveDone(end);
}
