/**
 * Provider selection: (options from the config, environment) -> provider. Options are the loose
 * `{ provider, ... }` objects of the config; `fallback: [{ provider, ... }, ...]` lists providers of
 * the same kind to switch to when this one fails. Bad options are a ConfigError naming the field; a
 * missing key is a MissingCredentialError naming the environment variable. Offline engines (script,
 * pocketsphinx, flite, ...) are passed in as `builtins` by the composition root.
 */
import type { z } from "zod";
import { type Clock, ConfigError, type RingagentError, systemClock } from "../../shared/index.js";
import type { LlmProvider, ToolSpec } from "../llm/llm-types.js";
import { LlamaCppLlmProvider } from "../llm/providers/llama-cpp/llama-cpp-llm.js";
import { OpenAiLlmProvider } from "../llm/providers/openai/openai-llm.js";
import type { RealtimeSessionOptions } from "../realtime/realtime-session.js";
import { DeepgramSttProvider } from "../stt/providers/deepgram/deepgram-stt.js";
import { OpenAiSttProvider } from "../stt/providers/openai/openai-stt.js";
import { sharedSherpaOnnxSttProvider } from "../stt/providers/sherpa-onnx/sherpa-onnx-stt.js";
import type { SttProvider } from "../stt/stt-types.js";
import { ElevenLabsTtsProvider } from "../tts/providers/elevenlabs/elevenlabs-tts.js";
import { OpenAiTtsProvider } from "../tts/providers/openai/openai-tts.js";
import type { TtsProvider } from "../tts/tts-types.js";
import { FallbackLlmProvider, type FallbackOptions, FallbackTtsProvider } from "./fallback-providers.js";
import { FallbackSttProvider } from "./fallback-stt.js";
import { createHttpTool } from "./http-tool.js";
import { HttpToolsLlmProvider } from "./http-tools-llm.js";
import type { OpenAiConnection } from "./openai-client.js";
import { credential, type Env } from "./provider-credentials.js";
import {
  deepgramSttSchema,
  defaultKeyEnv,
  elevenLabsTtsSchema,
  type httpToolSchema,
  llamaCppLlmSchema,
  openAiLlmSchema,
  openAiSttSchema,
  openAiTtsSchema,
  realtimeSchema,
  sherpaOnnxSttSchema,
} from "./provider-options.js";

/** A provider's options as the config holds them. */
export interface ProviderOptionsInput {
  readonly provider: string;
  readonly fallback?: readonly ProviderOptionsInput[];
  readonly [key: string]: unknown;
}

type Builder<P> = (options: ProviderOptionsInput, context: ProviderContext) => P;

export interface ProviderContext {
  readonly env: Env;
  readonly clock?: Clock;
  /** The agent's language (BCP 47, e.g. "ru-RU"): picks voices and TTS language codes. */
  readonly language?: string;
  /** The agent's instructions (system prompt). */
  readonly instructions?: string;
  /** Where the options are in the config, for error messages (e.g. "agents.receptionist.llm"). */
  readonly field?: string;
  /** Offline engines by provider name, made by the composition root. */
  readonly builtins?: {
    readonly llm?: Readonly<Record<string, Builder<LlmProvider>>>;
    readonly stt?: Readonly<Record<string, Builder<SttProvider>>>;
    readonly tts?: Readonly<Record<string, Builder<TtsProvider>>>;
  };
  readonly onSwitch?: (from: string, to: string, error: RingagentError) => void;
}

function parse<S extends z.ZodType>(schema: S, options: ProviderOptionsInput, field: string): z.output<S> {
  const { fallback: _fallback, ...rest } = options;
  const result = schema.safeParse(rest);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => `${[field, ...i.path.map(String)].join(".")}: ${i.message}`),
  );
}

function unknownProvider(field: string, name: string, known: readonly string[]): ConfigError {
  return new ConfigError([
    `${field}.provider: "${name}" is not available — use one of ${known.map((k) => `"${k}"`).join(", ")}`,
  ]);
}

function openAiConnection(
  what: string,
  o: {
    apiKey?: string | undefined;
    apiKeyEnv?: string | undefined;
    baseUrl?: string | undefined;
    headers?: Record<string, string> | undefined;
    timeoutMs?: number | undefined;
    azure?: { endpoint: string; apiVersion: string; deployment: string } | undefined;
  },
  env: Env,
): OpenAiConnection {
  // A local server (Ollama, vLLM, llama.cpp, LM Studio) usually needs no key.
  const keyOptional = o.baseUrl !== undefined && o.apiKeyEnv === undefined && o.azure === undefined;
  const defaultEnv = o.azure !== undefined ? defaultKeyEnv.azure : defaultKeyEnv.openai;
  const apiKey =
    keyOptional && o.apiKey === undefined && (env[defaultEnv] ?? "").length === 0
      ? "no-key"
      : credential(what, o, env, defaultEnv);
  return {
    apiKey,
    ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}),
    ...(o.headers !== undefined ? { headers: o.headers } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.azure !== undefined ? { azure: o.azure } : {}),
  };
}

const defined = <T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };

function fallbackOptions(c: ProviderContext): FallbackOptions {
  return { clock: c.clock ?? systemClock, ...(c.onSwitch !== undefined ? { onSwitch: c.onSwitch } : {}) };
}

// ------------------------------------------------------------------------------------------ LLM

export function createLlmProvider(options: ProviderOptionsInput, context: ProviderContext): LlmProvider {
  const field = context.field ?? "llm";
  const chain = [options, ...(options.fallback ?? [])].map((o, i) =>
    buildLlm(o, { ...context, field: i === 0 ? field : `${field}.fallback.${i - 1}` }),
  );
  return chain.length === 1
    ? (chain[0] as LlmProvider)
    : new FallbackLlmProvider(chain, fallbackOptions(context));
}

function buildLlm(options: ProviderOptionsInput, c: ProviderContext): LlmProvider {
  const field = c.field ?? "llm";
  const instructions = c.instructions !== undefined ? { instructions: c.instructions } : {};
  let llm: LlmProvider;
  let httpTools: z.output<typeof httpToolSchema>[] | undefined;
  switch (options.provider) {
    case "openai": {
      const o = parse(openAiLlmSchema, options, field);
      const { provider: _p, apiKey: _k, apiKeyEnv: _e, httpTools: tools, ...rest } = o;
      llm = new OpenAiLlmProvider({
        ...instructions,
        ...defined(rest),
        ...openAiConnection(`${field} (openai)`, o, c.env),
      });
      httpTools = tools;
      break;
    }
    case "llama-cpp": {
      const o = parse(llamaCppLlmSchema, options, field);
      const { provider: _p, httpTools: tools, ...rest } = o;
      llm = new LlamaCppLlmProvider({ ...instructions, ...defined(rest) });
      httpTools = tools;
      break;
    }
    default: {
      const builtin = c.builtins?.llm?.[options.provider];
      if (builtin === undefined) {
        throw unknownProvider(field, options.provider, [
          "openai",
          "llama-cpp",
          ...Object.keys(c.builtins?.llm ?? {}),
        ]);
      }
      return builtin(options, c);
    }
  }
  const tools = (httpTools ?? []).map((t) => createHttpTool(defined(t), c.env));
  return tools.length > 0 ? new HttpToolsLlmProvider(llm, tools) : llm;
}

// ------------------------------------------------------------------------------------------ STT

export function createSttProvider(options: ProviderOptionsInput, context: ProviderContext): SttProvider {
  const field = context.field ?? "stt";
  const chain = [options, ...(options.fallback ?? [])].map((o, i) =>
    buildStt(o, { ...context, field: i === 0 ? field : `${field}.fallback.${i - 1}` }),
  );
  const first = chain[0] as SttProvider;
  // Network recognizers get reconnects (and fallbacks) around them; offline ones stand alone.
  const remote = ["deepgram", "openai"].includes(options.provider);
  return chain.length === 1 && !remote ? first : new FallbackSttProvider(chain, fallbackOptions(context));
}

function buildStt(options: ProviderOptionsInput, c: ProviderContext): SttProvider {
  const field = c.field ?? "stt";
  const clock = c.clock ?? systemClock;
  switch (options.provider) {
    case "deepgram": {
      const o = parse(deepgramSttSchema, options, field);
      const { provider: _p, apiKey: _k, apiKeyEnv: _e, headers: _h, timeoutMs, ...rest } = o;
      return new DeepgramSttProvider({
        ...defined(rest),
        ...(timeoutMs !== undefined && rest.connectTimeoutMs === undefined
          ? { connectTimeoutMs: timeoutMs }
          : {}),
        apiKey: credential(`${field} (deepgram)`, o, c.env, defaultKeyEnv.deepgram),
        clock,
      });
    }
    case "openai": {
      const o = parse(openAiSttSchema, options, field);
      const { provider: _p, apiKey: _k, apiKeyEnv: _e, ...rest } = o;
      return new OpenAiSttProvider({
        ...defined(rest),
        ...openAiConnection(`${field} (openai)`, o, c.env),
        clock,
      });
    }
    case "sherpa-onnx": {
      // Checked and loaded here, at startup (one model per folder and options in the process).
      const { provider: _p, ...rest } = parse(sherpaOnnxSttSchema, options, field);
      return sharedSherpaOnnxSttProvider(defined(rest));
    }
    default: {
      const builtin = c.builtins?.stt?.[options.provider];
      if (builtin === undefined) {
        throw unknownProvider(field, options.provider, [
          "deepgram",
          "openai",
          "sherpa-onnx",
          ...Object.keys(c.builtins?.stt ?? {}),
        ]);
      }
      return builtin(options, c);
    }
  }
}

// ------------------------------------------------------------------------------------------ TTS

export function createTtsProvider(options: ProviderOptionsInput, context: ProviderContext): TtsProvider {
  const field = context.field ?? "tts";
  const chain = [options, ...(options.fallback ?? [])].map((o, i) =>
    buildTts(o, { ...context, field: i === 0 ? field : `${field}.fallback.${i - 1}` }),
  );
  return chain.length === 1
    ? (chain[0] as TtsProvider)
    : new FallbackTtsProvider(chain, fallbackOptions(context));
}

function buildTts(options: ProviderOptionsInput, c: ProviderContext): TtsProvider {
  const field = c.field ?? "tts";
  const language = c.language !== undefined ? { language: c.language } : {};
  switch (options.provider) {
    case "openai": {
      const o = parse(openAiTtsSchema, options, field);
      const { provider: _p, apiKey: _k, apiKeyEnv: _e, ...rest } = o;
      return new OpenAiTtsProvider({
        ...language,
        ...defined(rest),
        ...openAiConnection(`${field} (openai)`, o, c.env),
      });
    }
    case "elevenlabs": {
      const o = parse(elevenLabsTtsSchema, options, field);
      const { provider: _p, apiKey: _k, apiKeyEnv: _e, headers: _h, ...rest } = o;
      return new ElevenLabsTtsProvider({
        ...language,
        ...defined(rest),
        apiKey: credential(`${field} (elevenlabs)`, o, c.env, defaultKeyEnv.elevenlabs),
        ...(c.clock !== undefined ? { clock: c.clock } : {}),
      });
    }
    default: {
      const builtin = c.builtins?.tts?.[options.provider];
      if (builtin === undefined) {
        throw unknownProvider(field, options.provider, [
          "openai",
          "elevenlabs",
          ...Object.keys(c.builtins?.tts ?? {}),
        ]);
      }
      return builtin(options, c);
    }
  }
}

// ------------------------------------------------------------------------------------- realtime

/** Options of a speech-to-speech session from the config (`{ provider: "openai-realtime", ... }`). */
export function realtimeSessionOptions(
  options: ProviderOptionsInput,
  context: ProviderContext & { readonly sampleRateHz: number; readonly tools: readonly ToolSpec[] },
): RealtimeSessionOptions {
  const field = context.field ?? "realtime";
  const o = parse(realtimeSchema, options, field);
  const { provider: _p, apiKey: _k, apiKeyEnv: _e, headers: _h, timeoutMs, instructions, ...rest } = o;
  return {
    ...defined(rest),
    apiKey: credential(`${field} (openai-realtime)`, o, context.env, defaultKeyEnv.openai),
    instructions: instructions ?? context.instructions ?? "",
    tools: context.tools,
    language: context.language ?? "en-US",
    sampleRateHz: context.sampleRateHz,
    ...(timeoutMs !== undefined ? { connectTimeoutMs: timeoutMs } : {}),
    ...(context.clock !== undefined ? { clock: context.clock } : {}),
  };
}
