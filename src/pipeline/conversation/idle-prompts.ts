import { RingagentError } from "../../shared/index.js";
import type { PipelineContext } from "./pipeline-context.js";
import { onEnd } from "./pipeline-ending.js";

/**
 * What the agent says when nobody is talking: a filler while a reply is slow (never more than a
 * moment of dead air), a re-prompt when the caller is silent, and a goodbye after too many. The
 * phrases are synthesized ahead so they play even if TTS fails later.
 */

/** Synthesizes the fixed phrases ahead of need (a failure only means they are synthesized later). */
export async function preparePhrases(ctx: PipelineContext, signal: AbortSignal): Promise<void> {
  const b = ctx.behaviour;
  for (const text of [b.apology, ...b.fillers, b.reprompt, b.idleGoodbye]) {
    try {
      await ctx.player.prepare(text, signal);
    } catch {
      if (signal.aborted) return;
    }
  }
}

/** The `filler` timer: dead air while a reply is pending gets a filler; too many fail the reply. */
export function onFillerTimer(ctx: PipelineContext): void {
  const response = ctx.response;
  if (response === undefined || !ctx.state.is("agent_thinking", "agent_speaking")) return;
  if (ctx.player.deadAir()) {
    if (response.fillers >= ctx.behaviour.maxFillers) {
      const error = new RingagentError("pipeline_reply_timeout", "the reply took too long");
      ctx.queue.push({
        kind: "engine_error",
        engine: "llm",
        responseId: response.id,
        speechId: undefined,
        error,
      });
      return;
    }
    const fillers = ctx.behaviour.fillers;
    const text = fillers[response.fillers % Math.max(1, fillers.length)] ?? "One moment.";
    response.fillers++;
    ctx.speakPhrase("filler", text, false);
  }
  ctx.timers.set("filler", ctx.behaviour.fillerAfterMs);
}

/** The `idle` timer: the caller has been silent; re-prompt, or say goodbye after `maxReprompts`. */
export function onIdleTimer(ctx: PipelineContext): void {
  if (!ctx.state.is("listening")) return;
  ctx.reprompts++;
  if (ctx.reprompts > ctx.turnOptions.maxReprompts) {
    onEnd(ctx, "caller_idle", ctx.behaviour.idleGoodbye);
    return;
  }
  ctx.speakPhrase("prompt", ctx.behaviour.reprompt, true);
  ctx.state.transition("agent_thinking");
}
