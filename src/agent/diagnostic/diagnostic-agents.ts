/** Builds the call handler of a built-in diagnostic agent from its config (kind echo or playback). */
import type { AgentConfig } from "../../config/index.js";
import type { CallHandler } from "../../telephony/index.js";
import { runEchoAgent } from "./echo-agent.js";
import { runPlaybackAgent } from "./playback-agent.js";
import { readWavFrames } from "./wav-frames.js";

/** The handler for an echo/playback agent, or undefined for other kinds. Reads the WAV once up front. */
export async function createDiagnosticAgent(agent: AgentConfig): Promise<CallHandler | undefined> {
  switch (agent.kind) {
    case "echo":
      return (call) => runEchoAgent(call, { delayMs: agent.delayMs });
    case "playback": {
      const frames = await readWavFrames(agent.file);
      const options = {
        file: agent.file,
        recordDir: agent.recordDir,
        hangupAfterPlay: agent.hangupAfterPlay,
      };
      return (call) => runPlaybackAgent(call, options, frames);
    }
    default:
      return undefined;
  }
}
