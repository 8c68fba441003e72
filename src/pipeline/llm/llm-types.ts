import type { ChatMessage, ToolCall } from "../history/conversation-history.js";

export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export type LlmEvent =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "tool_call"; readonly call: ToolCall };

export interface LlmRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  readonly signal: AbortSignal;
}

/**
 * A streaming chat model. One instance serves one call (a provider may keep per-call state, as the
 * script engine does). The stream ends when the reply is complete; errors are RingagentErrors with
 * `retryable` set.
 */
export interface LlmProvider {
  readonly name: string;
  stream(request: LlmRequest): AsyncIterable<LlmEvent>;
}
