/**
 * `ringagent simulate`: one conversation agent's pipeline, exactly as a call builds it (providers from
 * the factory, greeting, instructions, tools), fed from a WAV or from text lines instead of a call.
 *
 * Time: with `pacing: "virtual"` a FakeClock advances 20 ms per caller frame as fast as the event
 * loop allows, except while an engine works (see EngineActivity), when it follows real time, so
 * timers (endpointing, fillers) see the engines' true speed. `pacing: "realtime"` runs on the system
 * clock at one frame per 20 ms, as a call would.
 */
import { setImmediate as nextTurn, setTimeout as sleepMs } from "node:timers/promises";
import type { AudioFrame } from "../../media/index.js";
import {
  type BargeInOptions,
  ConversationPipeline,
  FakeCallAudio,
  FakePlayoutSink,
  noiseFrame,
  type PipelineEnd,
  type ToolSpec,
  type TurnMetrics,
  type TurnOptions,
  voicedFrame,
} from "../../pipeline/index.js";
import { type Clock, FakeClock, type Logger, systemClock } from "../../shared/index.js";
import type { ConversationAgentConfig, ProviderFactory } from "../conversation/agent-ports.js";
import { type ToolName, toolSpecs } from "../conversation/call-tools.js";
import { KnowledgeBase } from "../conversation/knowledge-base.js";
import { frameRms } from "../conversation/pipeline-call-audio.js";
import { AgentVadFactory, turnTuning } from "../conversation/pipeline-tuning.js";
import { EngineActivity } from "./engine-activity.js";
import { ScriptedSttProvider } from "./scripted-stt.js";
import { type SimulatedToolCall, simulatedToolHandler } from "./simulated-tools.js";

export const simulationRateHz = 16_000;
const frameMs = 20;
/** A caller frame at or above this RMS is speech (as in the conversation agent's timing). */
const callerVoicedRms = 300;

export type SimulationInput =
  /** Caller audio at {@link simulationRateHz}, 20 ms frames. */
  | { readonly kind: "audio"; readonly frames: readonly AudioFrame[] }
  /** The caller's lines: STT is bypassed, each line is one caller turn. */
  | { readonly kind: "text"; readonly lines: readonly string[] };

export interface SimulationOptions {
  readonly agentName: string;
  readonly config: ConversationAgentConfig;
  readonly providers: ProviderFactory;
  readonly input: SimulationInput;
  readonly pacing: "virtual" | "realtime";
  readonly logger: Logger;
  /** Caps the conversation (ms of conversation time). */
  readonly maxDurationMs?: number;
  readonly turn?: Partial<TurnOptions>;
  readonly bargeIn?: Partial<BargeInOptions>;
}

export interface SimulatedTurn {
  readonly turnId: number;
  readonly callerText: string;
  readonly agentText: string[];
  /** End of the caller's voiced audio -> first agent reply audio handed to the sink. */
  voiceToVoiceMs: number | undefined;
  metrics: TurnMetrics | undefined;
}

export interface SimulationResult {
  /** What the agent said before the caller's first turn. */
  readonly greeting: readonly string[];
  readonly turns: readonly SimulatedTurn[];
  readonly tools: readonly SimulatedToolCall[];
  /** How the pipeline ended (caller_hangup when the input simply ran out). */
  readonly end: PipelineEnd;
  readonly sampleRateHz: number;
  /** Both tracks on the same 20 ms grid from the start, same length. */
  readonly callerAudio: Int16Array;
  readonly agentAudio: Int16Array;
  readonly durationMs: number;
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const virtual = o.pacing === "virtual";
  const clock: Clock = virtual ? new FakeClock() : systemClock;
  const fake = clock instanceof FakeClock ? clock : undefined;
  const originMs = clock.nowMs();
  const activity = new EngineActivity();
  const shared = o.providers.shared(o.config);
  const scripted = o.input.kind === "text" ? new ScriptedSttProvider() : undefined;
  const callAudio = new FakeCallAudio(simulationRateHz);
  const sink = new FakePlayoutSink(clock, simulationRateHz);
  const tools: SimulatedToolCall[] = [];
  const knowledge = o.config.knowledge === undefined ? undefined : KnowledgeBase.load(o.config.knowledge);
  // Text input stands the caller's speech in with a voiced tone, which only the energy VAD takes for
  // speech: a silero agent is simulated from text with the energy VAD (same windows).
  const vadConfig =
    o.input.kind === "text" && o.config.vad.kind === "silero"
      ? {
          kind: "energy" as const,
          startWindowMs: o.config.vad.startWindowMs,
          stopWindowMs: o.config.vad.stopWindowMs,
        }
      : o.config.vad;
  const vads = new AgentVadFactory(vadConfig);
  const tuning = turnTuning(o.config.turn);
  const pipeline = new ConversationPipeline({
    callAudio,
    sink,
    stt: activity.stt(scripted ?? shared.stt),
    llm: activity.llm(o.providers.llm(o.config)),
    tts: activity.tts(shared.tts),
    clock,
    logger: o.logger.child({ agent: o.agentName, simulate: true }),
    language: o.config.language,
    greeting: o.config.greeting,
    instructions: o.config.instructions,
    tools: o.config.tools.map((name: ToolName): ToolSpec => toolSpecs[name]),
    toolHandler: simulatedToolHandler({
      enabled: new Set<string>(o.config.tools),
      transferTargets: o.config.transferTargets,
      knowledge,
      onToolCall: (call) => tools.push(call),
    }),
    vad: await vads.create(),
    turn: { ...tuning.turn, ...o.turn },
    bargeIn: { ...tuning.bargeIn, ...o.bargeIn },
  });

  const greeting: string[] = [];
  const turns: SimulatedTurn[] = [];
  let lastVoicedAtMs: number | undefined;
  let turnEndVoicedAtMs: number | undefined;
  pipeline.events.on("user_turn", (e) => {
    turns.push({
      turnId: e.turnId,
      callerText: e.text,
      agentText: [],
      voiceToVoiceMs: undefined,
      metrics: undefined,
    });
    turnEndVoicedAtMs = lastVoicedAtMs;
  });
  pipeline.events.on("agent_text", (e) => (turns.at(-1)?.agentText ?? greeting).push(e.text));
  pipeline.events.on("agent_audio_started", (e) => {
    const turn = turns.at(-1);
    if (turn === undefined || e.kind !== "response" || turn.voiceToVoiceMs !== undefined) return;
    if (turnEndVoicedAtMs !== undefined) turn.voiceToVoiceMs = e.atMs - turnEndVoicedAtMs;
  });
  pipeline.events.on("turn_metrics", (m) => {
    const turn = turns.find((t) => t.turnId === m.turnId);
    if (turn !== undefined) turn.metrics = m;
  });
  let end: PipelineEnd | undefined;
  const done = pipeline.start().then((e) => {
    end = e;
    return e;
  });

  const caller: AudioFrame[] = [];
  const maxFrames = Math.ceil((o.maxDurationMs ?? 180_000) / frameMs);
  let idleSinceMs: number | undefined;
  const idleForMs = (): number => (idleSinceMs === undefined ? 0 : clock.nowMs() - idleSinceMs);
  /** One 20 ms step: a caller frame in, time forward. */
  const step = async (frame: AudioFrame): Promise<void> => {
    const atMs = clock.nowMs();
    caller.push(frame);
    if (frameRms(frame) >= callerVoicedRms) lastVoicedAtMs = atMs;
    callAudio.push(frame);
    if (fake !== undefined) {
      // Engines at work run on real time; otherwise time races ahead.
      if (activity.busy) await sleepMs(frameMs);
      fake.advance(frameMs);
      await nextTurn();
      await nextTurn();
    } else {
      const dueMs = originMs + caller.length * frameMs;
      await sleepMs(Math.max(0, dueMs - clock.nowMs()));
    }
    idleSinceMs = pipeline.state === "listening" ? (idleSinceMs ?? atMs) : undefined;
  };
  const quiet = (): AudioFrame => noiseFrame(simulationRateHz, caller.length);
  /** Silence until `until()` holds, the pipeline ends or the cap is reached. */
  const silenceUntil = async (until: () => boolean): Promise<void> => {
    while (end === undefined && caller.length < maxFrames && !until()) await step(quiet());
  };

  if (o.input.kind === "audio") {
    for (const frame of o.input.frames) {
      if (end !== undefined || caller.length >= maxFrames) break;
      await step(frame);
    }
    await silenceUntil(() => idleForMs() >= 1000);
  } else {
    await silenceUntil(() => idleForMs() >= 300); // the greeting plays out
    for (const line of o.input.lines) {
      if (end !== undefined) break;
      scripted?.expect(line);
      const before = turns.length;
      const words = line.split(/\s+/).filter((w) => w.length > 0).length;
      const speechMs = Math.min(4000, Math.max(600, words * 300));
      for (let t = 0; t < speechMs && end === undefined; t += frameMs)
        await step(voicedFrame(simulationRateHz, caller.length));
      const startedAt = clock.nowMs();
      await silenceUntil(
        () =>
          (turns.length > before && idleForMs() >= 300) ||
          (turns.length === before && clock.nowMs() - startedAt >= 5000),
      );
    }
  }
  if (end === undefined) pipeline.cancel("caller_hangup");
  // Let the last frames leave the sink (a cancel flushes; an ordered end already played out).
  const final = await done;
  sink.stop();
  await vads.close();

  const agent = new Int16Array(caller.length * (simulationRateHz / 1000) * frameMs);
  const frameSamples = (simulationRateHz / 1000) * frameMs;
  let slot = -1;
  for (const sent of sink.sent) {
    // A frame sent at tick T plays over [T, T+20), beside the caller frame pushed at T.
    slot = Math.max(slot + 1, Math.round((sent.atMs - originMs) / frameMs));
    if ((slot + 1) * frameSamples > agent.length) break;
    agent.set(sent.frame.samples.subarray(0, frameSamples), slot * frameSamples);
  }
  const callerAudio = new Int16Array(agent.length);
  for (const [i, frame] of caller.entries())
    callerAudio.set(frame.samples.subarray(0, frameSamples), i * frameSamples);
  return {
    greeting,
    turns,
    tools,
    end: final,
    sampleRateHz: simulationRateHz,
    callerAudio,
    agentAudio: agent,
    durationMs: caller.length * frameMs,
  };
}
