/**
 * Chat Completions with streaming and tool calls through the official `openai` SDK, for any
 * OpenAI-compatible server (the base URL decides: OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp
 * server, LM Studio, Groq, ...). Text deltas are yielded as they arrive; tool calls, which stream as
 * fragments keyed by `index`, are assembled and yielded once the model finished them.
 */
import type OpenAI from "openai";
import { ProviderError } from "../../../base/provider-retry.js";
import {
  createOpenAiClient,
  type OpenAiConnection,
  openAiError,
} from "../../../provider-setup/openai-client.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../../llm-types.js";
import { toChatMessages, toChatTools } from "./openai-messages.js";

export interface OpenAiLlmOptions extends OpenAiConnection {
  readonly model: string;
  /** Used as the system message when the conversation has none. */
  readonly instructions?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /**
   * OpenAI's newer models take `max_completion_tokens`; most compatible servers only `max_tokens`.
   * Default: `max_completion_tokens` for api.openai.com and Azure, `max_tokens` for other base URLs.
   */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Name in logs, errors and metrics (default "openai"). */
  readonly name?: string;
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

export class OpenAiLlmProvider implements LlmProvider {
  readonly name: string;
  readonly #client: OpenAI;
  readonly #o: OpenAiLlmOptions;

  constructor(options: OpenAiLlmOptions, client?: OpenAI) {
    this.name = options.name ?? "openai";
    this.#o = options;
    this.#client = client ?? createOpenAiClient(options);
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const o = this.#o;
    const tokensField =
      o.maxTokensField ?? (o.baseUrl === undefined ? "max_completion_tokens" : "max_tokens");
    const tools = toChatTools(request.tools);
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await this.#client.chat.completions.create(
        {
          model: o.azure?.deployment ?? o.model,
          messages: toChatMessages(request.messages, o.instructions),
          stream: true,
          ...(tools.length > 0 ? { tools } : {}),
          ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
          ...(o.maxTokens !== undefined ? { [tokensField]: o.maxTokens } : {}),
        },
        { signal: request.signal },
      );
    } catch (error) {
      throw openAiError(this.name, error, request.signal);
    }
    const calls = new Map<number, PartialCall>();
    try {
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice === undefined) continue;
        const text = choice.delta.content;
        if (typeof text === "string" && text.length > 0) yield { kind: "text", text };
        for (const fragment of choice.delta.tool_calls ?? []) {
          let call = calls.get(fragment.index);
          if (call === undefined) {
            call = { id: "", name: "", args: "" };
            calls.set(fragment.index, call);
          }
          if (fragment.id !== undefined && fragment.id.length > 0) call.id = fragment.id;
          if (fragment.function?.name !== undefined) call.name += fragment.function.name;
          if (fragment.function?.arguments !== undefined) call.args += fragment.function.arguments;
        }
      }
    } catch (error) {
      throw openAiError(this.name, error, request.signal);
    }
    for (const [index, call] of [...calls].sort((a, b) => a[0] - b[0])) {
      yield {
        kind: "tool_call",
        call: {
          id: call.id.length > 0 ? call.id : `call_${index}`,
          name: call.name,
          arguments: this.#args(call),
        },
      };
    }
  }

  #args(call: PartialCall): Record<string, unknown> {
    if (call.args.trim().length === 0) return {};
    try {
      const parsed: unknown = JSON.parse(call.args);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // fall through: the model wrote arguments that are not a JSON object
    }
    throw new ProviderError(
      this.name,
      "llm_tool_arguments_invalid",
      `${this.name} wrote invalid tool arguments`,
      {
        retryable: true,
      },
    );
  }
}
