import { asRingagentError } from "../base/provider-retry.js";
import type { PipelineFrame } from "../frames/pipeline-frame.js";
import type { ToolCall } from "../history/conversation-history.js";
import type { PipelineContext } from "./pipeline-context.js";
import type { ToolHandler } from "./pipeline-options.js";
import { continueResponse, speakSentence } from "./response-runner.js";

/** Tools the pipeline can run without an agent: `end_call` ends the call after the reply. */
const defaultToolHandler: ToolHandler = async (call) =>
  call.name === "end_call"
    ? { content: "ending the call", endCall: true }
    : { content: `${call.name} is not available` };

/**
 * The `llm_tool_call` frame: the words before the call are spoken, the call is recorded in the reply's
 * assistant message and run by the agent's handler in the background; its result comes back as a
 * `tool_result` frame.
 */
export function onToolCall(ctx: PipelineContext, responseId: number, call: ToolCall): void {
  const response = ctx.current(responseId);
  if (response === undefined) return;
  // Words before a tool call are a complete thought: say them now (a transfer waits for them).
  const before = response.splitter.flush();
  if (before !== undefined) speakSentence(ctx, response, before);
  response.addToolCall(ctx.history, call);
  const handler = ctx.options.toolHandler ?? defaultToolHandler;
  const signal = response.abort.signal;
  const task = async (): Promise<void> => {
    try {
      const result = await handler(call, { signal, afterPlayout: () => ctx.afterPlayout() });
      ctx.queue.push({
        kind: "tool_result",
        responseId,
        call,
        content: result.content,
        endCall: result.endCall === true,
      });
    } catch (error) {
      if (signal.aborted) return;
      const e = asRingagentError(`tool ${call.name}`, error);
      ctx.queue.push({ kind: "engine_error", engine: "tool", responseId, speechId: undefined, error: e });
    }
  };
  ctx.spawn("tool", task());
}

/** The `tool_result` frame: into the history, then the reply continues (or the call ends after it). */
export function onToolResult(ctx: PipelineContext, frame: PipelineFrame & { kind: "tool_result" }): void {
  // Survives interruption: the action happened, so the model must know.
  ctx.history.add({
    role: "tool",
    toolCallId: frame.call.id,
    name: frame.call.name,
    content: frame.content,
  });
  if (frame.endCall) ctx.queue.push({ kind: "end", reason: "tool", goodbye: undefined });
  const response = ctx.current(frame.responseId);
  if (response === undefined) return;
  response.pendingTools = Math.max(0, response.pendingTools - 1);
  response.endCall ||= frame.endCall;
  continueResponse(ctx, response);
}
