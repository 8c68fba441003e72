/**
 * The options of each remote provider as the configuration gives them (`{ provider, ... }`, loose
 * objects in the config schema), validated here so that errors name the field. Secrets are never
 * in these options: `apiKeyEnv` names the environment variable (a default per provider), or the
 * config loader's ${VAR} interpolation fills `apiKey`.
 */
import { z } from "zod";
import { sherpaModelTypes } from "../stt/providers/sherpa-onnx/sherpa-onnx-model.js";

const connection = {
  apiKey: z.string().min(1).optional(),
  apiKeyEnv: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
};

const openAiConnection = {
  ...connection,
  azure: z
    .strictObject({ endpoint: z.url(), apiVersion: z.string().min(1), deployment: z.string().min(1) })
    .optional(),
};

export const httpToolSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "use letters, digits, _ and - (at most 64)"),
  description: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()),
  url: z.url(),
  method: z.enum(["POST", "GET"]).optional(),
  auth: z
    .strictObject({ header: z.string().min(1), env: z.string().min(1), prefix: z.string().optional() })
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxResultChars: z.number().int().positive().optional(),
});

export const openAiLlmSchema = z.strictObject({
  provider: z.literal("openai"),
  ...openAiConnection,
  model: z.string().min(1).default("gpt-4o-mini"),
  instructions: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  maxTokensField: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  httpTools: z.array(httpToolSchema).optional(),
});

export const llamaCppLlmSchema = z.strictObject({
  provider: z.literal("llama-cpp"),
  modelPath: z.string().min(1),
  contextSize: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  instructions: z.string().optional(),
  httpTools: z.array(httpToolSchema).optional(),
});

export const deepgramSttSchema = z.strictObject({
  provider: z.literal("deepgram"),
  ...connection,
  model: z.string().min(1).optional(),
  interimResults: z.boolean().optional(),
  endpointingMs: z.union([z.number().int().min(10), z.literal(false)]).optional(),
  utteranceEndMs: z.number().int().min(1000).optional(),
  smartFormat: z.boolean().optional(),
  keepAliveMs: z.number().int().min(100).max(9000).optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  finalizeTimeoutMs: z.number().int().positive().optional(),
});

export const openAiSttSchema = z.strictObject({
  provider: z.literal("openai"),
  ...openAiConnection,
  model: z.string().min(1).optional(),
  prompt: z.string().optional(),
  minUtteranceMs: z.number().int().min(0).optional(),
});

export const sherpaOnnxSttSchema = z.strictObject({
  provider: z.literal("sherpa-onnx"),
  modelDir: z
    .string({ error: "set it to an unpacked sherpa-onnx ASR model folder (tokens.txt + .onnx files)" })
    .min(1),
  modelType: z.enum(sherpaModelTypes).optional(),
  numThreads: z.number().int().min(1).max(16).optional(),
  partialEveryMs: z.number().int().min(0).optional(),
});

export const openAiTtsSchema = z.strictObject({
  provider: z.literal("openai"),
  ...openAiConnection,
  model: z.string().min(1).optional(),
  voice: z.string().min(1).optional(),
  format: z.enum(["pcm", "wav"]).optional(),
  speed: z.number().min(0.25).max(4).optional(),
  instructions: z.string().optional(),
});

export const elevenLabsTtsSchema = z.strictObject({
  provider: z.literal("elevenlabs"),
  ...connection,
  voice: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  stability: z.number().min(0).max(1).optional(),
  similarityBoost: z.number().min(0).max(1).optional(),
  speed: z.number().min(0.7).max(1.2).optional(),
});

export const realtimeSchema = z.strictObject({
  provider: z.literal("openai-realtime"),
  ...connection,
  model: z.string().min(1).default("gpt-realtime"),
  voice: z.string().min(1).optional(),
  transcriptionModel: z.string().min(1).optional(),
  instructions: z.string().optional(),
  protocol: z.enum(["ga", "beta"]).optional(),
  turnDetection: z.enum(["server_vad", "semantic_vad"]).optional(),
});

/** Default environment variable of each provider's key. */
export const defaultKeyEnv = {
  openai: "OPENAI_API_KEY",
  azure: "AZURE_OPENAI_API_KEY",
  deepgram: "DEEPGRAM_API_KEY",
  elevenlabs: "ELEVENLABS_API_KEY",
} as const;
