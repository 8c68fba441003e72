// Public surface of the pipeline layer (see ARCHITECTURE.md).

// Whole-buffer audio conversion (any rate to 20 ms frames; simulate, voices).
export { resampleBuffer, toFrames } from "./audio/pcm-convert.js";
// Provider interfaces and the retry base.
export {
  asRingagentError,
  defaultRetryPolicy,
  ProviderError,
  type RetryPolicy,
  retryingStream,
} from "./base/provider-retry.js";
// Seams with telephony: caller audio in, paced playout out.
export type {
  CallAudio,
  PlayoutOutcome,
  PlayoutPosition,
  PlayoutSink,
  UtteranceHandle,
} from "./conversation/call-audio.js";
// The per-call pipeline.
export { ConversationPipeline, type PipelineEnd } from "./conversation/conversation-pipeline.js";
export {
  type BargeInOptions,
  type BehaviourOptions,
  type ConversationPipelineOptions,
  defaultBargeInOptions,
  defaultBehaviourOptions,
  defaultTurnOptions,
  type FallbackAction,
  type PipelineEvents,
  type ToolContext,
  type ToolHandler,
  type ToolResult,
  type TurnMetrics,
  type TurnOptions,
} from "./conversation/pipeline-options.js";
export type { TurnState } from "./conversation/turn-state.js";
export type { EndReason, EngineKind, PipelineFrame } from "./frames/pipeline-frame.js";
export { type ChatMessage, ConversationHistory, type ToolCall } from "./history/conversation-history.js";
export type { LlmEvent, LlmProvider, LlmRequest, ToolSpec } from "./llm/llm-types.js";
// Remote model providers (issue 9): selection from config + env, fallbacks, voices.
export { type LlamaCppLlmOptions, LlamaCppLlmProvider } from "./llm/providers/llama-cpp/llama-cpp-llm.js";
export { type OpenAiLlmOptions, OpenAiLlmProvider } from "./llm/providers/openai/openai-llm.js";
export { ScriptLlmProvider } from "./llm/providers/script/script-llm.js";
// Offline providers.
export {
  type ConversationScript,
  defaultReceptionistScriptPath,
  loadConversationScript,
  parseConversationScript,
} from "./llm/providers/script/script-schema.js";
export { scriptVocabulary } from "./llm/providers/script/script-vocabulary.js";
export {
  defaultFallbackPolicy,
  FallbackLlmProvider,
  type FallbackOptions,
  FallbackTtsProvider,
} from "./provider-setup/fallback-providers.js";
export { type FallbackSttOptions, FallbackSttProvider } from "./provider-setup/fallback-stt.js";
export { ProviderHttpError } from "./provider-setup/http-error.js";
export { createHttpTool, type HttpTool, type HttpToolConfig } from "./provider-setup/http-tool.js";
export { HttpToolsLlmProvider } from "./provider-setup/http-tools-llm.js";
export { type Env, MissingCredentialError } from "./provider-setup/provider-credentials.js";
export {
  createLlmProvider,
  createSttProvider,
  createTtsProvider,
  type ProviderContext,
  type ProviderOptionsInput,
  realtimeSessionOptions,
} from "./provider-setup/provider-factory.js";
export { listVoices, speakSample, type VoiceInfo } from "./provider-setup/voice-catalog.js";
export {
  RealtimeSession,
  type RealtimeSessionEvents,
  type RealtimeSessionOptions,
} from "./realtime/realtime-session.js";
export { type DeepgramSttOptions, DeepgramSttProvider } from "./stt/providers/deepgram/deepgram-stt.js";
export { type OpenAiSttOptions, OpenAiSttProvider } from "./stt/providers/openai/openai-stt.js";
export { type ArpaModel, buildArpaModel } from "./stt/providers/pocketsphinx/arpa-lm-writer.js";
export {
  addonBuildCommand,
  debianEnglishModel,
  type PocketsphinxModel,
} from "./stt/providers/pocketsphinx/pocketsphinx-addon.js";
export {
  type PocketsphinxOptions,
  PocketsphinxSttProvider,
  phraseModelDecoderArgs,
} from "./stt/providers/pocketsphinx/pocketsphinx-stt.js";
export { probeSherpaModel } from "./stt/providers/sherpa-onnx/sherpa-onnx-addon.js";
export {
  resolveSherpaModel,
  type SherpaModel,
  type SherpaModelType,
  sherpaModelFix,
  sherpaModelTypes,
} from "./stt/providers/sherpa-onnx/sherpa-onnx-model.js";
export {
  type SherpaOnnxSttOptions,
  SherpaOnnxSttProvider,
  sharedSherpaOnnxSttProvider,
} from "./stt/providers/sherpa-onnx/sherpa-onnx-stt.js";
export type { SttProvider, SttResult, SttStream, SttStreamOptions } from "./stt/stt-types.js";
// Fakes for tests of layers above (agent, telephony): clock-driven, no I/O.
export { FakeCallAudio } from "./testing/fake-call-audio.js";
export { FakeLlmProvider, FakeSttProvider, FakeTtsProvider, fakeSpeech } from "./testing/fake-engines.js";
export { FakePlayoutSink, type SentFrame } from "./testing/fake-playout-sink.js";
export { FakeDeepgramServer } from "./testing/fake-servers/fake-deepgram-server.js";
export { FakeElevenLabsServer } from "./testing/fake-servers/fake-elevenlabs-server.js";
export { FakeOpenAiRealtimeServer } from "./testing/fake-servers/fake-openai-realtime-server.js";
export { FakeOpenAiServer } from "./testing/fake-servers/fake-openai-server.js";
export { PipelineHarness } from "./testing/pipeline-harness.js";
export { mixFrames, noiseFrame, voicedFrame } from "./testing/test-signals.js";
export {
  type ElevenLabsTtsOptions,
  ElevenLabsTtsProvider,
} from "./tts/providers/elevenlabs/elevenlabs-tts.js";
export { type EspeakOptions, EspeakTtsProvider } from "./tts/providers/espeak/espeak-tts.js";
export { type FliteOptions, FliteTtsProvider, type FliteVoice } from "./tts/providers/flite/flite-tts.js";
export { type OpenAiTtsOptions, OpenAiTtsProvider } from "./tts/providers/openai/openai-tts.js";
export { CachingTtsProvider, type TtsCacheOptions } from "./tts/tts-cache.js";
export type { TtsChunk, TtsProvider, TtsRequest } from "./tts/tts-types.js";
export { defaultEchoGuardOptions, type EchoGuardOptions } from "./turn/echo-guard.js";
export type { WordTiming } from "./turn/heard-text.js";
// VAD and echo guard.
export { createVad, type VadSpec } from "./vad/create-vad.js";
export { EnergyVad } from "./vad/energy-vad.js";
export {
  loadSileroModel,
  type SileroLoadOptions,
  type SileroModel,
  type SileroRateHz,
  sileroChunk,
  sileroModelPath,
} from "./vad/silero-model.js";
export { defaultSileroVadOptions, SileroVad, type SileroVadOptions } from "./vad/silero-vad.js";
export { defaultVadOptions, type Vad, type VadDecision, type VadOptions } from "./vad/vad-types.js";
