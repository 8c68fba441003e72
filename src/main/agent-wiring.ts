/**
 * One call handler per configured agent: diagnostic agents, conversation pipelines (STT -> LLM ->
 * TTS) and speech-to-speech agents (one OpenAI Realtime session per call).
 */
import {
  type CallJournal,
  type ConversationAgentConfig,
  createConversationAgent,
  createDiagnosticAgent,
  createRealtimeAgent,
  isRealtimeAgent,
  type ProviderFactory,
  type RingCentralCallLink,
} from "../agent/index.js";
import type { AgentConfig, RingagentConfig } from "../config/index.js";
import type { Metrics } from "../http/index.js";
import { RealtimeSession, realtimeSessionOptions, type ToolSpec } from "../pipeline/index.js";
import { type Logger, systemClock } from "../shared/index.js";
import type { CallHandler } from "../telephony/index.js";
import type { StartOptions } from "./service-handle.js";

export interface AgentWiring {
  readonly config: RingagentConfig;
  readonly options: StartOptions;
  readonly providers: ProviderFactory;
  readonly journal: CallJournal;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The RingCentral Call Control link of a line, looked up when a call transfers. */
  readonly ringCentralLinkOf: (lineName: string) => RingCentralCallLink | undefined;
  /** True once stop() began: a call that slips in is ended at once. */
  readonly draining: () => boolean;
}

/** Builds (and prepares) every agent's handler, keyed by agent name. */
export async function buildAgentHandlers(wiring: AgentWiring): Promise<Map<string, CallHandler>> {
  const handlers = new Map<string, CallHandler>();
  for (const [name, agent] of Object.entries(wiring.config.agents)) {
    const handler = await buildAgent(wiring, name, agent);
    if (handler !== undefined)
      handlers.set(name, async (call) => {
        // Stopping: a call that slipped in is ended at once (the manager has no 503 switch yet).
        if (wiring.draining()) return;
        await handler(call);
      });
  }
  return handlers;
}

async function buildAgent(
  wiring: AgentWiring,
  name: string,
  agent: AgentConfig,
): Promise<CallHandler | undefined> {
  if (agent.kind !== "conversation") return createDiagnosticAgent(agent);
  if (isRealtimeAgent(agent)) return buildRealtimeAgent(wiring, name, agent);
  const { config, options } = wiring;
  const conversation = createConversationAgent({
    name,
    config: agent,
    providers: wiring.providers,
    journal: wiring.journal,
    metrics: wiring.metrics.recorder,
    clock: systemClock,
    logger: wiring.logger,
    recordings: { enabled: config.recordings.enabled, dir: config.recordings.dir },
    // RingCentral lines transfer through Call Control once the party is known (REFER otherwise).
    transferRoute: (call) => wiring.ringCentralLinkOf(call.lineName),
    ...options.conversation,
  });
  await conversation.prepare();
  return conversation.handler;
}

/** Speech-to-speech (`llm.provider: openai-realtime`): one Realtime session per call. */
function buildRealtimeAgent(wiring: AgentWiring, name: string, agent: ConversationAgentConfig): CallHandler {
  const { config, options } = wiring;
  const { env: realtimeEnv, ...realtimeHooks } = options.realtime ?? {};
  const sessionOptions = (sampleRateHz: number, tools: readonly ToolSpec[]) =>
    realtimeSessionOptions(agent.llm, {
      env: realtimeEnv ?? process.env,
      clock: systemClock,
      language: agent.language,
      instructions: agent.instructions,
      field: `agents.${name}.llm`,
      sampleRateHz,
      tools,
    });
  sessionOptions(16_000, []); // config and API key errors surface at start, not per call
  return createRealtimeAgent({
    name,
    config: agent,
    createSession: (sampleRateHz, tools) => new RealtimeSession(sessionOptions(sampleRateHz, tools)),
    journal: wiring.journal,
    metrics: wiring.metrics.recorder,
    clock: systemClock,
    logger: wiring.logger,
    recordings: { enabled: config.recordings.enabled, dir: config.recordings.dir },
    ...realtimeHooks,
  }).handler;
}
