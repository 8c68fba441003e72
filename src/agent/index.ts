// Public surface of the agent layer (see ARCHITECTURE.md).

export {
  CallJournal,
  type CallJournalOptions,
  endReasonText,
  outcomeOf,
} from "./call-journal.js";
export {
  type AgentMetrics,
  type AgentTurnLatency,
  type ConversationAgentConfig,
  type ConversationProviders,
  noMetrics,
  type ProviderFactory,
} from "./conversation/agent-ports.js";
export {
  createToolHandler,
  type RouteTransferResult,
  resolveTransferTarget,
  type ToolEnvironment,
  type TransferRoute,
  toolSpecs,
  transferFailedText,
} from "./conversation/call-tools.js";
export {
  type ConversationAgent,
  type ConversationAgentOptions,
  type ConversationCallSummary,
  createConversationAgent,
} from "./conversation/conversation-agent.js";
export { KnowledgeBase, type KnowledgeEntry } from "./conversation/knowledge-base.js";
export { frameRms, isVoiced, PipelineCallAudio } from "./conversation/pipeline-call-audio.js";
export { createDiagnosticAgent } from "./diagnostic/diagnostic-agents.js";
export {
  defaultEchoAgentOptions,
  delayed,
  type EchoAgentOptions,
  runEchoAgent,
} from "./diagnostic/echo-agent.js";
export { type PlaybackAgentOptions, recordCall, runPlaybackAgent } from "./diagnostic/playback-agent.js";
export {
  type CallCommandOptions,
  type CallCommandResult,
  runCallCommand,
} from "./diagnostic/run-call-command.js";
export { framesOf, readWavFrames, WavRecorder } from "./diagnostic/wav-frames.js";
export {
  createRealtimeAgent,
  greetingInstructions,
  isRealtimeAgent,
  type RealtimeAgentOptions,
  type RealtimeCallSummary,
  type RealtimeSessionPort,
} from "./realtime/realtime-agent.js";
export { heardPrefix, type PlayoutCut, RealtimePlayout } from "./realtime/realtime-playout.js";
export {
  type CallControlTransferResult,
  callControlTarget,
  RingCentralCallLink,
  type RingCentralCallLinkOptions,
} from "./ringcentral-call-link.js";
export { EngineActivity } from "./simulate/engine-activity.js";
export { ScriptedSttProvider } from "./simulate/scripted-stt.js";
export { type SimulatedToolCall, simulatedToolHandler } from "./simulate/simulated-tools.js";
export {
  runSimulation,
  type SimulatedTurn,
  type SimulationInput,
  type SimulationOptions,
  type SimulationResult,
  simulationRateHz,
} from "./simulate/simulation-runner.js";
