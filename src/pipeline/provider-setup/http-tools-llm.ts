/**
 * Gives any LLM provider the configuration's HTTP tools. Their schemas are added to each request;
 * when the model calls only HTTP tools, this wrapper runs them, feeds the results back to the model
 * (an assistant message with the calls, then one tool message per result) and streams the model's
 * next round, so the pipeline sees just text. When a round also calls a pipeline tool (transfer,
 * end_call, ...), the pipeline's calls are passed on and the HTTP calls of that round are dropped
 * (the model can ask again), which keeps every call in the pipeline's history answered.
 */
import type { ChatMessage, ToolCall } from "../history/conversation-history.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../llm/llm-types.js";
import type { HttpTool } from "./http-tool.js";

export class HttpToolsLlmProvider implements LlmProvider {
  readonly name: string;
  readonly #inner: LlmProvider;
  readonly #tools: ReadonlyMap<string, HttpTool>;
  readonly #maxRounds: number;

  constructor(inner: LlmProvider, tools: readonly HttpTool[], maxRounds = 3) {
    this.name = inner.name;
    this.#inner = inner;
    this.#tools = new Map(tools.map((t) => [t.spec.name, t]));
    this.#maxRounds = maxRounds;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const tools = [...request.tools, ...[...this.#tools.values()].map((t) => t.spec)];
    const messages: ChatMessage[] = [...request.messages];
    for (let round = 0; ; round++) {
      const httpCalls: ToolCall[] = [];
      const otherCalls: ToolCall[] = [];
      let text = "";
      for await (const event of this.#inner.stream({ messages, tools, signal: request.signal })) {
        if (event.kind === "text") {
          text += event.text;
          yield event;
        } else if (this.#tools.has(event.call.name) && round < this.#maxRounds) {
          httpCalls.push(event.call);
        } else {
          otherCalls.push(event.call);
        }
      }
      for (const call of otherCalls) yield { kind: "tool_call", call };
      if (otherCalls.length > 0 || httpCalls.length === 0) return;
      messages.push({ role: "assistant", content: text, toolCalls: httpCalls });
      const results = await Promise.all(
        httpCalls.map((c) => this.#tools.get(c.name)?.run(c.arguments, request.signal) ?? ""),
      );
      httpCalls.forEach((call, i) => {
        messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: results[i] ?? "" });
      });
    }
  }
}
