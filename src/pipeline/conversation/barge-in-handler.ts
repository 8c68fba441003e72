import { newTurn, nonBackchannelWords, turnText } from "./caller-turn.js";
import type { PipelineContext } from "./pipeline-context.js";
import { trimToHeard } from "./response-state.js";

/**
 * Barge-in: caller speech over the agent pauses our audio at once (a candidate); words confirm it
 * (the reply is cancelled and the history trimmed to what was heard), while a backchannel, a noise
 * or silence resumes the agent from the word that was cut.
 */

/** A barge-in candidate: our audio stops now and the caller's words decide. */
export function pauseForBargeIn(ctx: PipelineContext): void {
  ctx.player.pauseAll();
  ctx.turn = newTurn();
  ctx.turn.lastVoicedAtMs = ctx.listener.lastVoicedAtMs;
  ctx.state.transition("barge_in_pending");
  ctx.timers.set("false_interruption", ctx.bargeIn.falseInterruptionMs);
}

/** Enough real words for a barge-in (not only backchannels). */
export function bargeInHasWords(ctx: PipelineContext): boolean {
  return nonBackchannelWords(turnText(ctx.turn), ctx.backchannels) >= ctx.bargeIn.minWords;
}

/** Words came: the caller has the turn; the `interrupt` frame (priority lane) cancels the reply. */
export function confirmBargeIn(ctx: PipelineContext): void {
  const response = ctx.player.speeches.find((s) => s.kind === "response" || s.historyIndex !== undefined);
  ctx.queue.push({
    kind: "interrupt",
    responseId: ctx.response?.id ?? 0,
    heardText: response?.heardText() ?? "",
    playedMs: response?.heardMs() ?? 0,
  });
  ctx.timers.cancel("false_interruption");
  ctx.turn.hadSpeech = ctx.turn.hadSpeech || ctx.listener.voicedMs >= ctx.turnOptions.minSpeechMs;
  ctx.state.transition("caller_speaking");
  ctx.timers.set("max_speech", ctx.turnOptions.maxCallerSpeechMs);
}

/** A false interruption (backchannel, noise): the agent plays on from the word that was cut. */
export function resumeAfterFalseInterruption(ctx: PipelineContext): void {
  ctx.timers.cancel("false_interruption");
  const playedMs = ctx.player.speeches[0]?.heardMs() ?? 0;
  ctx.player.resumeAll();
  ctx.discardFinals = ctx.outstandingFinals;
  ctx.turn = newTurn();
  const audible = ctx.player.speeches.some((s) => s.frames.length > 0);
  if (audible) ctx.state.transition("agent_speaking");
  else if (ctx.response !== undefined || ctx.player.speeches.length > 0)
    ctx.state.transition("agent_thinking");
  else ctx.toListening();
  ctx.events.emit("resumed", { playedMs });
}

/** The `false_interruption` timer: no words within the window decides the candidate. */
export function onFalseInterruptionTimer(ctx: PipelineContext): void {
  if (!ctx.state.is("barge_in_pending")) return;
  if (ctx.listener.speaking || ctx.finalsPending() > 0) {
    ctx.timers.set("false_interruption", 200); // still talking: decide when they stop
  } else if (bargeInHasWords(ctx)) {
    confirmBargeIn(ctx);
  } else {
    resumeAfterFalseInterruption(ctx);
  }
}

/** The `interrupt` frame (priority lane): cancel the reply, drop its queued output, trim history. */
export function onInterrupt(ctx: PipelineContext, heardText: string, playedMs: number): void {
  const response = ctx.response;
  dropAgentOutput(ctx);
  if (response !== undefined) ctx.metrics.emit(response, true);
  ctx.events.emit("interrupt", { heardText, playedMs });
}

/**
 * Cancels the current reply and drops every speech and its queued frames (barge-in, engine failure);
 * the history keeps only what the caller heard of each.
 */
export function dropAgentOutput(ctx: PipelineContext): void {
  const response = ctx.response;
  ctx.response = undefined;
  ctx.timers.cancel("filler");
  response?.abort.abort();
  response?.release();
  const dropped = ctx.player.dropAll();
  const ids = new Set(dropped.map((s) => s.id));
  ctx.queue.dropData(
    (f) =>
      ("responseId" in f && response !== undefined && f.responseId === response.id) ||
      ("speechId" in f && f.speechId !== undefined && ids.has(f.speechId)),
  );
  for (const speech of dropped) {
    const reply = speech.responseId === undefined ? undefined : ctx.replies.get(speech.responseId);
    if (reply !== undefined) {
      trimToHeard(ctx.history, reply.messages, speech.heardText());
      ctx.replies.delete(reply.id);
    } else if (speech.historyIndex !== undefined) {
      const heard = speech.heardText();
      ctx.history.replace(speech.historyIndex, { role: "assistant", content: heard, interrupted: true });
    }
  }
  if (response !== undefined && ctx.replies.has(response.id)) {
    trimToHeard(ctx.history, response.messages, "");
    ctx.replies.delete(response.id);
  }
}
