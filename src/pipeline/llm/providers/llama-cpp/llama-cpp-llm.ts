/**
 * A local GGUF model through node-llama-cpp, an optional dependency that is not installed by
 * default (it is large and builds native code). The model file is checked when the provider is
 * made (so a wrong path fails at start, naming the path); the package is imported on first use
 * (or by `prepare()` at start), failing with the command that installs it. Text only: the model's
 * own function calling is not mapped to pipeline tool calls yet.
 */
import { existsSync } from "node:fs";
import { AbortedError, RingagentError } from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { ProviderError } from "../../../base/provider-retry.js";
import type { ChatMessage } from "../../../history/conversation-history.js";
import type { LlmEvent, LlmProvider, LlmRequest } from "../../llm-types.js";

export interface LlamaCppLlmOptions {
  /** Path of the .gguf file. */
  readonly modelPath: string;
  readonly contextSize?: number;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Used as the system prompt when the conversation has none. */
  readonly instructions?: string;
  readonly name?: string;
  /** The package to import (tests point it elsewhere). */
  readonly packageName?: string;
}

/** The part of node-llama-cpp's v3 API used here. */
type ChatHistoryItem =
  | { type: "system"; text: string }
  | { type: "user"; text: string }
  | { type: "model"; response: string[] };
interface LlamaChatSession {
  setChatHistory(history: ChatHistoryItem[]): void;
  prompt(
    text: string,
    options: {
      maxTokens?: number;
      temperature?: number;
      signal?: AbortSignal;
      stopOnAbortSignal?: boolean;
      onTextChunk?: (text: string) => void;
    },
  ): Promise<string>;
}
interface LlamaModule {
  getLlama(): Promise<{
    loadModel(o: { modelPath: string }): Promise<{
      createContext(o: { contextSize?: number }): Promise<{ getSequence(): unknown }>;
    }>;
  }>;
  LlamaChatSession: new (o: { contextSequence: unknown }) => LlamaChatSession;
}

export class LlamaCppModelMissingError extends RingagentError {
  readonly path: string;
  constructor(path: string) {
    super("llm_model_missing", `the GGUF model file ${path} does not exist (check llm.modelPath)`);
    this.path = path;
  }
}

export class LlamaCppNotInstalledError extends RingagentError {
  constructor(cause: unknown) {
    super(
      "llm_engine_missing",
      "the llama-cpp provider needs the optional package node-llama-cpp: run `npm install node-llama-cpp`",
      { cause },
    );
  }
}

export class LlamaCppLlmProvider implements LlmProvider {
  readonly name: string;
  readonly #o: LlamaCppLlmOptions;
  #session: Promise<LlamaChatSession> | undefined;

  constructor(options: LlamaCppLlmOptions) {
    if (!existsSync(options.modelPath)) throw new LlamaCppModelMissingError(options.modelPath);
    this.name = options.name ?? "llama-cpp";
    this.#o = options;
  }

  /** Imports node-llama-cpp and loads the model (call at start to fail early). */
  prepare(): Promise<void> {
    return this.#load().then(() => undefined);
  }

  #load(): Promise<LlamaChatSession> {
    this.#session ??= (async () => {
      let mod: LlamaModule;
      try {
        const specifier = this.#o.packageName ?? "node-llama-cpp";
        const imported: unknown = await import(specifier);
        if (imported === null || typeof imported !== "object" || !("getLlama" in imported)) {
          throw new TypeError("not node-llama-cpp");
        }
        mod = imported as LlamaModule;
      } catch (error) {
        throw new LlamaCppNotInstalledError(error);
      }
      try {
        const llama = await mod.getLlama();
        const model = await llama.loadModel({ modelPath: this.#o.modelPath });
        const context = await model.createContext({ contextSize: this.#o.contextSize ?? 4096 });
        return new mod.LlamaChatSession({ contextSequence: context.getSequence() });
      } catch (error) {
        throw new ProviderError(this.name, "llm_model_load_failed", `${this.name} could not load the model`, {
          cause: error,
        });
      }
    })();
    this.#session.catch(() => {
      this.#session = undefined; // allow a later attempt (e.g. after installing)
    });
    return this.#session;
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmEvent> {
    const session = await this.#load();
    const { history, prompt } = toLlamaHistory(request.messages, this.#o.instructions);
    session.setChatHistory(history);
    const chunks = new AsyncChannel<string>();
    const done = session
      .prompt(prompt, {
        signal: request.signal,
        stopOnAbortSignal: true,
        onTextChunk: (text) => chunks.push(text),
        ...(this.#o.maxTokens !== undefined ? { maxTokens: this.#o.maxTokens } : {}),
        ...(this.#o.temperature !== undefined ? { temperature: this.#o.temperature } : {}),
      })
      .finally(() => chunks.close());
    let failure: unknown;
    done.catch((error: unknown) => {
      failure = error;
    });
    for (;;) {
      const text = await chunks.next(request.signal);
      if (text === undefined) break;
      if (text.length > 0) yield { kind: "text", text };
    }
    await done.catch(() => undefined);
    if (request.signal.aborted) throw request.signal.reason ?? new AbortedError(this.name);
    if (failure !== undefined) {
      throw new ProviderError(this.name, "llm_generation_failed", `${this.name} failed`, { cause: failure });
    }
  }
}

/** Our history as node-llama-cpp's, with the last user message as the prompt. */
export function toLlamaHistory(
  messages: readonly ChatMessage[],
  instructions: string | undefined,
): { history: ChatHistoryItem[]; prompt: string } {
  const history: ChatHistoryItem[] = [];
  if (instructions !== undefined && !messages.some((m) => m.role === "system")) {
    history.push({ type: "system", text: instructions });
  }
  for (const m of messages) {
    if (m.role === "system") history.push({ type: "system", text: m.content });
    else if (m.role === "user") history.push({ type: "user", text: m.content });
    else if (m.role === "assistant") history.push({ type: "model", response: [m.content] });
    else history.push({ type: "user", text: `(${m.name} result) ${m.content}` });
  }
  const last = history.at(-1);
  if (last?.type === "user") {
    history.pop();
    return { history, prompt: last.text };
  }
  return { history, prompt: "" };
}
