/**
 * The conversation agent: per call, joins the telephony call's audio to a conversation pipeline
 * built from the agent's config (providers from the factory main.ts passes in), runs the tools,
 * records the call (stereo: caller left, agent right) and journals turns, events and metrics as
 * they happen. The greeting is synthesized once up front (TTS cache), so it starts as soon as media
 * does.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type BargeInOptions,
  ConversationPipeline,
  defaultBehaviourOptions,
  type PipelineEnd,
  type SttProvider,
  type ToolSpec,
  type TtsProvider,
  type TurnOptions,
  type Vad,
} from "../../pipeline/index.js";
import { type Clock, describeError, type Logger } from "../../shared/index.js";
import { CallRecordingWriter, writeMonoWavFile } from "../../store/index.js";
import type { Call, CallHandler } from "../../telephony/index.js";
import type { CallJournal } from "../call-journal.js";
import type { AgentMetrics, ConversationAgentConfig, ProviderFactory } from "./agent-ports.js";
import { AnnouncingLlm } from "./announcing-llm.js";
import { createToolHandler, type ToolName, type TransferRoute, toolSpecs } from "./call-tools.js";
import { CallerSpeechBuffer } from "./caller-speech-buffer.js";
import { KnowledgeBase } from "./knowledge-base.js";
import { inboundDelayMs, reportMediaStats } from "./media-stats.js";
import { frameRms, PipelineCallAudio } from "./pipeline-call-audio.js";
import { AgentVadFactory, turnTuning } from "./pipeline-tuning.js";
import { TurnJournal } from "./turn-journal.js";

export interface ConversationAgentOptions {
  readonly name: string;
  readonly config: ConversationAgentConfig;
  readonly providers: ProviderFactory;
  readonly journal: CallJournal;
  readonly metrics: AgentMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recordings: { readonly enabled: boolean; readonly dir: string };
  /** Pipeline tuning (tests, benchmarks), over the agent's `turn` config. */
  readonly turn?: Partial<TurnOptions>;
  readonly bargeIn?: Partial<BargeInOptions>;
  /** Called with each finished call's figures (tests, benchmarks). */
  readonly onCallDone?: (summary: ConversationCallSummary) => void;
  /** The call's line's own transfer (Call Control on ringcentral lines), tried before REFER. */
  readonly transferRoute?: (call: Call) => TransferRoute | undefined;
}

export interface ConversationCallSummary {
  readonly callId: string;
  readonly end: PipelineEnd;
  readonly wireToWireMs: readonly number[];
  readonly recordingPath: string | undefined;
}

export interface ConversationAgent {
  readonly handler: CallHandler;
  /** Synthesizes the greeting and fixed phrases ahead (into the TTS cache). */
  prepare(): Promise<void>;
  /** Calls running now. */
  readonly activeCalls: number;
}

const pipelineRateHz = 16_000;
/**
 * A caller frame at or above this RMS (about -40 dBFS) is speech for wire-to-wire timing: the end of
 * the caller's speech is measured on the audio itself, independent of the VAD's hangover.
 */
const callerVoicedRms = 300;

export function createConversationAgent(options: ConversationAgentOptions): ConversationAgent {
  const { config } = options;
  const shared = options.providers.shared(config);
  const knowledge = config.knowledge === undefined ? undefined : KnowledgeBase.load(config.knowledge);
  const enabled = new Set<string>(config.tools);
  const vads = new AgentVadFactory(config.vad);
  const tools: ToolSpec[] = config.tools.map((name: ToolName) => toolSpecs[name]);
  let active = 0;
  return {
    handler: async (call) => {
      active++;
      try {
        const vad = await vads.create();
        await runConversation(call, options, { ...shared, knowledge, enabled, tools, vad });
      } finally {
        active--;
      }
    },
    prepare: async () => {
      await vads.prepare(); // a missing Silero model or runtime is a start-up error, not a per-call one
      await warm(shared.tts, [config.greeting, ...phrasesToWarm()], options.logger);
    },
    get activeCalls() {
      return active;
    },
  };
}

function phrasesToWarm(): string[] {
  const b = defaultBehaviourOptions;
  return [b.apology, ...b.fillers, b.reprompt, b.idleGoodbye];
}

async function warm(tts: TtsProvider, texts: readonly string[], logger: Logger): Promise<void> {
  const signal = AbortSignal.timeout(30_000);
  for (const text of texts) {
    if (text.length === 0) continue;
    try {
      for await (const _chunk of tts.synthesize({ text, sampleRateHz: pipelineRateHz, signal })) {
        // Synthesized for the cache only.
      }
    } catch (error) {
      logger.warn({ err: describeError(error) }, "could not synthesize a phrase ahead");
    }
  }
}

interface CallEngines {
  readonly stt: SttProvider;
  readonly tts: TtsProvider;
  readonly knowledge: KnowledgeBase | undefined;
  readonly enabled: ReadonlySet<string>;
  readonly tools: readonly ToolSpec[];
  readonly vad: Vad;
}

async function runConversation(call: Call, o: ConversationAgentOptions, engines: CallEngines): Promise<void> {
  const log = o.logger.child({ callId: call.id, line: call.lineName, agent: o.name });
  const { journal, clock, config } = o;
  const tuning = turnTuning(config.turn);
  const recording = o.recordings.enabled ? await openRecording(call, o, log) : undefined;
  const callerSpeech = new CallerSpeechBuffer();
  let turns: TurnJournal | undefined;
  let callerLastVoicedAtMs: number | undefined;
  const audio = new PipelineCallAudio(call.audio, clock, {
    onCallerFrame: (frame, atMs) => {
      callerSpeech.add(frame, atMs);
      if (frameRms(frame) >= callerVoicedRms) callerLastVoicedAtMs = atMs;
      recording?.writeCaller(frame.samples, atMs);
    },
    onAgentFrame: (frame, atMs) => recording?.writeAgent(frame.samples, atMs),
    onAgentVoiced: (utteranceId, atMs) => turns?.agentVoiced(utteranceId, atMs),
  });
  const llm = new AnnouncingLlm(o.providers.llm(config));
  const toolHandler = createToolHandler({
    call,
    journal,
    clock,
    logger: log,
    transferTargets: config.transferTargets,
    transferRoute: o.transferRoute?.(call),
    knowledge: engines.knowledge,
    enabled: engines.enabled,
    announce: (id, text) => llm.announce(id, text),
    saveCallerSpeech: async (messageId) => {
      if (!o.recordings.enabled) return undefined;
      const speech = callerSpeech.lastTurnAudio();
      if (speech === undefined) return undefined;
      const dir = resolve(o.recordings.dir, "messages");
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${messageId}.wav`);
      await writeMonoWavFile(path, speech.samples, speech.sampleRateHz);
      return path;
    },
  });
  const pipeline = new ConversationPipeline({
    callAudio: audio,
    sink: audio,
    stt: engines.stt,
    llm,
    tts: engines.tts,
    clock,
    logger: log,
    language: config.language,
    greeting: config.greeting,
    instructions: config.instructions,
    tools: engines.tools,
    toolHandler,
    vad: engines.vad,
    turn: { ...tuning.turn, ...o.turn },
    bargeIn: { ...tuning.bargeIn, ...o.bargeIn },
  });
  turns = new TurnJournal({
    callId: call.id,
    line: call.lineName,
    journal,
    metrics: o.metrics,
    clock,
    providers: { stt: engines.stt.name, llm: llm.name, tts: engines.tts.name },
    inboundDelayMs: () => inboundDelayMs(call.media),
    callerLastVoicedAtMs: () => callerLastVoicedAtMs,
  });
  turns.attach(pipeline.events);
  pipeline.events.on("caller_speech", (e) => callerSpeech.speech(e.speaking, e.atMs));
  pipeline.events.on("user_turn", (e) => {
    callerSpeech.turnEnded(clock.nowMs());
    log.debug({ turnId: e.turnId, reason: e.reason }, "caller turn ended");
  });
  // Timing only: transcripts are PII and never logged.
  pipeline.events.on("transcript", (e) => log.debug({ final: e.final, chars: e.text.length }, "transcript"));
  pipeline.events.on("caller_speech", (e) => log.debug({ speaking: e.speaking }, "caller speech"));
  pipeline.events.on("interrupt", (e) => {
    o.metrics.bargeIn(call.lineName);
    journal.event(call.id, "barge_in", { playedMs: Math.round(e.playedMs) });
  });
  const providerNames = { stt: engines.stt.name, llm: llm.name, tts: engines.tts.name } as const;
  pipeline.events.on("engine_error", (e) => {
    journal.event(call.id, "error", { engine: e.engine, code: e.code });
    if (e.engine !== "tool") o.metrics.providerError(providerNames[e.engine], e.engine);
  });
  // The caller hung up (or the call was torn down): stop at once.
  void call.ended.then(() => pipeline.cancel("caller_hangup"));

  const end = await pipeline.start();
  log.info({ reason: end.reason, fallback: end.fallbackAction }, "conversation ended");
  reportMediaStats(call, o.metrics);
  if (call.state !== "ended") {
    if (end.reason === "engine_failure") await fallback(call, end, config, log);
    // Ordered end: the pipeline finished only after the goodbye played out; now BYE.
    if (!hasEnded(call)) await call.hangup();
  }
  await call.ended;
  turns.close();
  let recordingPath: string | undefined;
  if (recording !== undefined) {
    try {
      const { durationMs } = await recording.close();
      recordingPath = recording.path;
      journal.setRecording(call.id, recording.path, Math.round(durationMs));
    } catch (error) {
      log.warn({ err: describeError(error) }, "recording could not be completed");
    }
  }
  o.onCallDone?.({ callId: call.id, end, wireToWireMs: [...turns.wireToWireMs], recordingPath });
}

/** Reads the state afresh (narrowing of `call.state` is stale after an await). */
function hasEnded(call: Call): boolean {
  return call.state === "ended";
}

/** After an engine failure (the apology was said): transfer to the operator when one is configured. */
async function fallback(call: Call, end: PipelineEnd, config: ConversationAgentConfig, log: Logger) {
  if (end.fallbackAction !== "transfer") return;
  const target = config.transferTargets.operator;
  if (target === undefined) return;
  try {
    await call.transfer(target);
  } catch (error) {
    log.info({ err: describeError(error) }, "fallback transfer failed");
  }
}

async function openRecording(
  call: Call,
  o: ConversationAgentOptions,
  log: Logger,
): Promise<CallRecordingWriter | undefined> {
  try {
    const dir = resolve(o.recordings.dir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${call.id}.wav`);
    const writer = await CallRecordingWriter.open({
      path,
      sampleRateHz: call.audio.sampleRateHz || pipelineRateHz,
      originMs: o.clock.nowMs(),
    });
    o.journal.setRecording(call.id, path);
    return writer;
  } catch (error) {
    log.warn({ err: describeError(error) }, "could not open the call recording");
    return undefined;
  }
}
