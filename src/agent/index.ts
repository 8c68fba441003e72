// Public surface of the agent layer (see ARCHITECTURE.md).
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
