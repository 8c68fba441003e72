/** The conversation as the LLM sees it. The agent's messages are trimmed to what the caller heard. */

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

export type ChatMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | {
      readonly role: "assistant";
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      /** Set when barge-in cut the message: `content` holds only the words that were heard. */
      readonly interrupted?: boolean;
    }
  | { readonly role: "tool"; readonly toolCallId: string; readonly name: string; readonly content: string };

export class ConversationHistory {
  readonly #messages: ChatMessage[] = [];

  constructor(system?: string) {
    if (system !== undefined && system.length > 0) this.#messages.push({ role: "system", content: system });
  }

  messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  add(message: ChatMessage): number {
    this.#messages.push(message);
    return this.#messages.length - 1;
  }

  replace(index: number, message: ChatMessage): void {
    if (index >= 0 && index < this.#messages.length) this.#messages[index] = message;
  }

  at(index: number): ChatMessage | undefined {
    return this.#messages[index];
  }

  /** The last message with `role`, if any. */
  last(role: ChatMessage["role"]): ChatMessage | undefined {
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      const m = this.#messages[i];
      if (m?.role === role) return m;
    }
    return undefined;
  }
}
