/**
 * Wraps a call's language model so that a tool outcome the caller must hear (a failed transfer) is
 * spoken even when the model says nothing after tool results (the offline script engine never
 * does). A model that answers the tool result itself is left alone.
 */
import type { LlmEvent, LlmProvider, LlmRequest } from "../../pipeline/index.js";

export class AnnouncingLlm implements LlmProvider {
  readonly name: string;
  readonly #inner: LlmProvider;
  /** Tool call id -> what to say. */
  readonly #pending = new Map<string, string>();

  constructor(inner: LlmProvider) {
    this.#inner = inner;
    this.name = inner.name;
  }

  announce(toolCallId: string, text: string): void {
    this.#pending.set(toolCallId, text);
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const announcements: string[] = [];
    for (let i = request.messages.length - 1; i >= 0; i--) {
      const m = request.messages[i];
      if (m === undefined || m.role !== "tool") break;
      const text = this.#pending.get(m.toolCallId);
      if (text !== undefined) {
        announcements.unshift(text);
        this.#pending.delete(m.toolCallId);
      }
    }
    let spoke = false;
    for await (const event of this.#inner.stream(request)) {
      if (event.kind === "text" && event.text.trim().length > 0) spoke = true;
      yield event;
    }
    if (!spoke) for (const text of announcements) yield { kind: "text", text };
  }
}
