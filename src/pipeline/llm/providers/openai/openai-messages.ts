/** Our conversation and tool specs in the Chat Completions wire model. */
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions/completions.js";
import type { ChatMessage } from "../../../history/conversation-history.js";
import type { ToolSpec } from "../../llm-types.js";

export function toChatMessages(
  messages: readonly ChatMessage[],
  instructions: string | undefined,
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (instructions !== undefined && !messages.some((m) => m.role === "system")) {
    out.push({ role: "system", content: instructions });
  }
  for (const m of messages) {
    switch (m.role) {
      case "system":
        out.push({ role: "system", content: m.content });
        break;
      case "user":
        out.push({ role: "user", content: m.content });
        break;
      case "assistant": {
        const calls = m.toolCalls ?? [];
        if (calls.length === 0) {
          out.push({ role: "assistant", content: m.content });
          break;
        }
        out.push({
          role: "assistant",
          content: m.content.length > 0 ? m.content : null,
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          })),
        });
        break;
      }
      case "tool":
        out.push({ role: "tool", tool_call_id: m.toolCallId, content: m.content });
        break;
    }
  }
  return out;
}

export function toChatTools(tools: readonly ToolSpec[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: "function",
    function: { name: t.name, description: t.description, parameters: { ...t.parameters } },
  }));
}
