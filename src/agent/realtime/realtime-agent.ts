/**
 * The speech-to-speech agent mode: a conversation agent whose `llm.provider` is `openai-realtime`
 * runs one Realtime session per call instead of STT + LLM + TTS. The model hears the caller's
 * frames and speaks back; the agent keeps everything around it the same as the conversation agent:
 * the call's paced playout (one utterance per model item), barge-in with our own playout position,
 * the same tools (call-tools.ts), the turn journal and the stereo recording.
 */
import type { RealtimeSession, ToolSpec } from "../../pipeline/index.js";
import type { Clock, Logger } from "../../shared/index.js";
import type { CallJournal } from "../call-journal.js";
import type { AgentMetrics, ConversationAgentConfig } from "../conversation/agent-ports.js";
import { type ToolName, toolSpecs } from "../conversation/call-tools.js";
import type { ConversationAgent } from "../conversation/conversation-agent.js";
import { KnowledgeBase } from "../conversation/knowledge-base.js";
import { runRealtimeCall } from "./realtime-call.js";

/** What a call uses of a Realtime session (RealtimeSession satisfies it; tests may fake it). */
export type RealtimeSessionPort = Pick<
  RealtimeSession,
  "events" | "connect" | "writeCallerAudio" | "respond" | "interrupt" | "sendToolResult" | "close"
>;

export interface RealtimeAgentOptions {
  readonly name: string;
  readonly config: ConversationAgentConfig;
  /** Builds one call's session at the call's audio rate with the agent's tools (main.ts). */
  readonly createSession: (sampleRateHz: number, tools: readonly ToolSpec[]) => RealtimeSessionPort;
  readonly journal: CallJournal;
  readonly metrics: AgentMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recordings: { readonly enabled: boolean; readonly dir: string };
  /** How long connecting may take before the call falls back (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Called with each finished call's figures (tests). */
  readonly onCallDone?: (summary: RealtimeCallSummary) => void;
}

export interface RealtimeCallSummary {
  readonly callId: string;
  /** Why the agent's side ended: the caller hung up, end_call, a transfer, or the session failed. */
  readonly reason: "caller_hangup" | "end_call" | "transferred" | "session_failed";
  readonly wireToWireMs: readonly number[];
  /** Each barge-in: the item and how much of it the caller heard. */
  readonly interruptions: readonly { readonly itemId: string; readonly playedMs: number }[];
  readonly recordingPath: string | undefined;
}

/** Instructions of the first response: say the configured greeting. */
export function greetingInstructions(greeting: string): string {
  return `Greet the caller by saying exactly: "${greeting}"`;
}

export function isRealtimeAgent(config: ConversationAgentConfig): boolean {
  return config.llm.provider === "openai-realtime";
}

export function createRealtimeAgent(options: RealtimeAgentOptions): ConversationAgent {
  const { config } = options;
  const knowledge = config.knowledge === undefined ? undefined : KnowledgeBase.load(config.knowledge);
  const enabled = new Set<string>(config.tools);
  const tools: ToolSpec[] = config.tools.map((name: ToolName) => toolSpecs[name]);
  let active = 0;
  return {
    handler: async (call) => {
      active++;
      try {
        await runRealtimeCall(call, options, { knowledge, enabled, tools });
      } finally {
        active--;
      }
    },
    // Nothing to synthesize ahead: the model speaks the greeting itself.
    prepare: async () => undefined,
    get activeCalls() {
      return active;
    },
  };
}
