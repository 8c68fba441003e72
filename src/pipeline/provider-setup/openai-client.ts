/**
 * One way to build the official `openai` SDK client for every OpenAI-compatible provider (LLM, STT,
 * TTS): OpenAI itself, Azure OpenAI, and servers that speak the same API at another base URL
 * (Ollama, vLLM, llama.cpp server, LM Studio, Groq, ...). The SDK's own retries are off: retries and
 * timeouts live in pipeline/base/provider-retry.ts.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError, AzureOpenAI } from "openai";
import { AbortedError, type RingagentError } from "../../shared/index.js";
import { ProviderError } from "../base/provider-retry.js";
import { connectionError, ProviderHttpError, parseErrorBody, retryAfterMsFrom } from "./http-error.js";

export interface OpenAiConnection {
  readonly apiKey: string;
  /** e.g. http://localhost:11434/v1 (Ollama); default https://api.openai.com/v1. */
  readonly baseUrl?: string;
  /** Azure OpenAI: the resource endpoint, API version and deployment (the model name there). */
  readonly azure?: { readonly endpoint: string; readonly apiVersion: string; readonly deployment: string };
  /** Extra headers on every request (e.g. an organization or a gateway's key). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Deadline of one HTTP request (connect to end of headers for streams). */
  readonly timeoutMs?: number;
}

export function createOpenAiClient(c: OpenAiConnection): OpenAI {
  const common = {
    apiKey: c.apiKey,
    maxRetries: 0,
    timeout: c.timeoutMs ?? 30_000,
    ...(c.headers !== undefined ? { defaultHeaders: { ...c.headers } } : {}),
  };
  if (c.azure !== undefined) {
    return new AzureOpenAI({
      ...common,
      endpoint: c.azure.endpoint,
      apiVersion: c.azure.apiVersion,
      deployment: c.azure.deployment,
    });
  }
  return new OpenAI({ ...common, ...(c.baseUrl !== undefined ? { baseURL: c.baseUrl } : {}) });
}

/**
 * An error thrown by the SDK (or while reading one of its streams) as a typed error. Anything that
 * is not an API answer happened on the connection, so a retry may succeed.
 */
export function openAiError(provider: string, error: unknown, signal: AbortSignal): RingagentError {
  if (error instanceof ProviderError) return error;
  if (signal.aborted || error instanceof APIUserAbortError) {
    return signal.reason instanceof AbortedError ? signal.reason : new AbortedError(provider);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError(provider, "provider_timeout", `${provider} timed out`, {
      retryable: true,
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const headers = error.headers;
    return new ProviderHttpError(provider, error.status, parseErrorBody({ error: error.error }), {
      retryAfterMs: retryAfterMsFrom((n) => headers?.get(n), Date.now()),
      cause: error,
    });
  }
  if (error instanceof APIError && error.status === undefined && error.error !== undefined) {
    // An error event inside an SSE stream (status unknown): the server gave up on this request.
    return new ProviderError(provider, "provider_stream_error", `${provider} reported a stream error`, {
      retryable: true,
      cause: error,
    });
  }
  return connectionError(provider, error);
}
