import { asRingagentError, retryingStream } from "../base/provider-retry.js";
import { newTurn } from "./caller-turn.js";
import type { PipelineContext } from "./pipeline-context.js";
import { afterSpeechCompleted } from "./pipeline-ending.js";
import { ResponseState } from "./response-state.js";

/**
 * The agent's reply to a caller turn: LLM rounds streamed through the retry base, each sentence
 * handed to TTS as soon as it is complete, another round after tool results (up to
 * `maxToolRounds`), then the reply is done. LLM output comes back as frames, handled in order.
 */

/** The `user_turn` frame: the caller's words go to the history and a reply starts. */
export function startResponse(ctx: PipelineContext, text: string, reason: "endpoint" | "max_speech"): void {
  if (ctx.state.is("ending")) return;
  ctx.turnId++;
  ctx.history.add({ role: "user", content: text });
  ctx.events.emit("user_turn", { turnId: ctx.turnId, text, reason });
  const response = new ResponseState(ctx.nextResponseId++, ctx.turnId, ctx.abort.signal);
  response.endOfTurnAtMs = ctx.clock.nowMs();
  response.lastVoicedAtMs = ctx.turn.lastVoicedAtMs;
  response.sttFinalAtMs = ctx.turn.sttFinalAtMs;
  ctx.turn = newTurn();
  ctx.response = response;
  ctx.metrics.track(response);
  ctx.replies.set(response.id, response);
  ctx.timers.set("filler", ctx.behaviour.fillerAfterMs);
  runLlmRound(ctx, response);
}

/** One LLM request with the history so far; its events come back as `llm_*` frames. */
function runLlmRound(ctx: PipelineContext, response: ResponseState): void {
  response.beginRound(ctx.clock.nowMs());
  const messages = [...ctx.history.messages()];
  const signal = response.abort.signal;
  const llm = ctx.llm;
  const task = async (): Promise<void> => {
    try {
      const stream = retryingStream(() => llm.stream({ messages, tools: ctx.tools, signal }), {
        provider: llm.name,
        clock: ctx.clock,
        signal,
        policy: ctx.retry,
      });
      for await (const event of stream) {
        if (event.kind === "text")
          ctx.queue.push({ kind: "llm_text", responseId: response.id, text: event.text });
        else ctx.queue.push({ kind: "llm_tool_call", responseId: response.id, call: event.call });
      }
      ctx.queue.push({ kind: "llm_done", responseId: response.id });
    } catch (error) {
      if (signal.aborted) return;
      const e = asRingagentError(llm.name, error);
      ctx.queue.push({
        kind: "engine_error",
        engine: "llm",
        responseId: response.id,
        speechId: undefined,
        error: e,
      });
    }
  };
  ctx.spawn("llm", task());
}

export function onLlmText(ctx: PipelineContext, responseId: number, text: string): void {
  const response = ctx.current(responseId);
  if (response === undefined) return;
  response.llmFirstTokenAtMs ??= ctx.clock.nowMs();
  response.appendText(ctx.history, text);
  for (const sentence of response.splitter.push(text)) speakSentence(ctx, response, sentence);
}

/** A complete sentence of the reply goes to TTS (the reply's speech is created with the first). */
export function speakSentence(ctx: PipelineContext, response: ResponseState, text: string): void {
  if (response.speech === undefined)
    response.speech = ctx.player.create("response", response.id, response.abort.signal);
  response.firstSentenceAtMs ??= ctx.clock.nowMs();
  response.speech.submitSentence(text);
  ctx.events.emit("agent_text", { text, kind: "response" });
}

export function onLlmDone(ctx: PipelineContext, responseId: number): void {
  const response = ctx.current(responseId);
  if (response === undefined) return;
  const rest = response.splitter.flush();
  if (rest !== undefined) speakSentence(ctx, response, rest);
  response.llmDone = true;
  continueResponse(ctx, response);
}

/** After the LLM round and its tools: another round with the tool results, or the reply is complete. */
export function continueResponse(ctx: PipelineContext, response: ResponseState): void {
  if (!response.llmDone || response.pendingTools > 0) return;
  const more =
    response.toolCallsThisRound > 0 &&
    !response.endCall &&
    response.round < ctx.behaviour.maxToolRounds &&
    !ctx.state.is("ending");
  if (more) {
    runLlmRound(ctx, response);
    return;
  }
  ctx.response = undefined;
  ctx.timers.cancel("filler");
  response.release();
  response.speech?.sentences.close();
  if (response.speech === undefined) {
    ctx.metrics.emit(response, false);
    ctx.replies.delete(response.id);
  }
  afterSpeechCompleted(ctx);
}
