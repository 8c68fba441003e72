/**
 * What the conversation agent needs from the composition root: providers (built by main.ts from the
 * agent's config), the call store, a metrics recorder, and settings. Only main.ts constructs
 * concrete classes; the agent receives them through these seams.
 */
import type { AgentConfig } from "../../config/index.js";
import type { LlmProvider, SttProvider, TtsProvider } from "../../pipeline/index.js";

export type ConversationAgentConfig = Extract<AgentConfig, { kind: "conversation" }>;

/** The providers one call uses. STT and TTS may be shared by every call; the LLM is per call. */
export interface ConversationProviders {
  readonly stt: SttProvider;
  readonly llm: LlmProvider;
  readonly tts: TtsProvider;
}

/** Builds a call's providers (main.ts decides which concrete class each config names). */
export interface ProviderFactory {
  /** Shared engines, built once per agent (model loads, TTS cache). */
  shared(agent: ConversationAgentConfig): { readonly stt: SttProvider; readonly tts: TtsProvider };
  /** The per-call language model (a script engine keeps per-call state). */
  llm(agent: ConversationAgentConfig): LlmProvider;
}

export type ProviderKind = "stt" | "llm" | "tts";

/** Per-turn latency parts in ms (null: not observed). Structurally the http layer's TurnLatencySample. */
export interface AgentTurnLatency {
  endpointingMs?: number | null;
  sttFinalMs?: number | null;
  llmFirstTokenMs?: number | null;
  ttsFirstAudioMs?: number | null;
  wireToWireMs?: number | null;
}

/** The metrics the agent records (a subset of the http layer's RingagentMetrics, satisfied by it). */
export interface AgentMetrics {
  callStarted(line: string): void;
  callEnded(line: string, outcome: string): void;
  turnLatency(line: string, latency: AgentTurnLatency): void;
  bargeIn(line: string): void;
  rtpPacketsLost(line: string, count: number): void;
  rtpPacketsLate(line: string, count: number): void;
  rtpJitter(line: string, jitterMs: number): void;
  providerError(provider: string, kind: ProviderKind): void;
  providerLatency(provider: string, kind: ProviderKind, latencyMs: number): void;
}

export const noMetrics: AgentMetrics = {
  callStarted: () => undefined,
  callEnded: () => undefined,
  turnLatency: () => undefined,
  bargeIn: () => undefined,
  rtpPacketsLost: () => undefined,
  rtpPacketsLate: () => undefined,
  rtpJitter: () => undefined,
  providerError: () => undefined,
  providerLatency: () => undefined,
};
