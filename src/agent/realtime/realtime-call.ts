/**
 * One speech-to-speech call: caller frames -> the Realtime session; the model's audio -> the call's
 * playout (one utterance per item, ended with its response); the caller starting to talk over us ->
 * our outbound queue is flushed at once and the model's item is truncated to what left on the wire;
 * tool calls -> the conversation agent's tools, their results back to the model; turns, transcripts
 * and events -> the call journal; both directions -> the recording.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ToolSpec } from "../../pipeline/index.js";
import { describeError, type Logger } from "../../shared/index.js";
import { CallRecordingWriter, writeMonoWavFile } from "../../store/index.js";
import type { Call } from "../../telephony/index.js";
import { createToolHandler } from "../conversation/call-tools.js";
import { CallerSpeechBuffer } from "../conversation/caller-speech-buffer.js";
import type { KnowledgeBase } from "../conversation/knowledge-base.js";
import { inboundDelayMs, reportMediaStats } from "../conversation/media-stats.js";
import { frameRms, PipelineCallAudio } from "../conversation/pipeline-call-audio.js";
import { TurnJournal } from "../conversation/turn-journal.js";
import type { RealtimeAgentOptions, RealtimeCallSummary } from "./realtime-agent.js";
import { greetingInstructions } from "./realtime-agent.js";
import { heardPrefix, RealtimePlayout } from "./realtime-playout.js";
import { ItemTranscripts, TurnEventHub } from "./realtime-turn-events.js";
import { ResponseTracker } from "./response-tracker.js";

export interface RealtimeCallEngines {
  readonly knowledge: KnowledgeBase | undefined;
  readonly enabled: ReadonlySet<string>;
  readonly tools: readonly ToolSpec[];
}

const providerName = "openai-realtime";
/** A caller frame at or above this RMS (about -40 dBFS) is speech for wire-to-wire timing. */
const callerVoicedRms = 300;
const frameMs = 20;

export async function runRealtimeCall(
  call: Call,
  o: RealtimeAgentOptions,
  engines: RealtimeCallEngines,
): Promise<void> {
  const log = o.logger.child({ callId: call.id, line: call.lineName, agent: o.name });
  const { journal, clock, config } = o;
  const recording = o.recordings.enabled ? await openRecording(call, o, log) : undefined;
  const callerSpeech = new CallerSpeechBuffer();
  const hub = new TurnEventHub();
  const transcripts = new ItemTranscripts();
  let callerLastVoicedAtMs: number | undefined;
  const turns = new TurnJournal({
    callId: call.id,
    line: call.lineName,
    journal,
    metrics: o.metrics,
    clock,
    providers: { stt: providerName, llm: providerName, tts: providerName },
    inboundDelayMs: () => inboundDelayMs(call.media),
    callerLastVoicedAtMs: () => callerLastVoicedAtMs,
  });
  turns.attach(hub);
  const audio = new PipelineCallAudio(call.audio, clock, {
    onCallerFrame: (frame, atMs) => {
      callerSpeech.add(frame, atMs);
      if (frameRms(frame) >= callerVoicedRms) callerLastVoicedAtMs = atMs;
      recording?.writeCaller(frame.samples, atMs);
    },
    onAgentFrame: (frame, atMs) => recording?.writeAgent(frame.samples, atMs),
    onAgentVoiced: (utteranceId, atMs) => turns.agentVoiced(utteranceId, atMs),
  });
  let turnId = 0;
  const kind = (): string => (turnId === 0 ? "greeting" : "response");
  const playout = new RealtimePlayout(audio, (itemId) =>
    hub.emit("agent_audio_started", { utteranceId: itemId, kind: kind(), atMs: clock.nowMs() }),
  );
  const session = o.createSession(audio.sampleRateHz, engines.tools);
  const stop = new AbortController();
  const response = new ResponseTracker();
  let reason: RealtimeCallSummary["reason"] = "caller_hangup";
  const interruptions: { itemId: string; playedMs: number }[] = [];
  let latestItem: string | undefined;
  const announcements = new Map<string, string>();
  const tasks = new Set<Promise<void>>();
  const own = (task: Promise<void>): void => {
    const owned = task.catch((error: unknown) => log.warn({ err: describeError(error) }, "call task failed"));
    tasks.add(owned);
    void owned.then(() => tasks.delete(owned));
  };
  const afterPlayout = async (): Promise<void> => {
    await response.done(stop.signal);
    await playout.idle();
  };
  const endAfterPlayout = async (why: RealtimeCallSummary["reason"]): Promise<void> => {
    reason = why;
    await afterPlayout();
    if (!hasEnded(call)) await call.hangup();
  };
  const toolHandler = createToolHandler({
    call,
    journal,
    clock,
    logger: log,
    transferTargets: config.transferTargets,
    knowledge: engines.knowledge,
    enabled: engines.enabled,
    announce: (id, text) => announcements.set(id, text),
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
  /** The session failed: journal it, then the operator (when configured) or a hang-up. */
  const fail = async (code: string): Promise<void> => {
    if (reason === "session_failed" || stop.signal.aborted) return;
    reason = "session_failed";
    log.warn({ code }, "realtime session failed");
    journal.event(call.id, "error", { engine: "llm", code });
    o.metrics.providerError(providerName, "llm");
    playout.cut();
    const operator = config.transferTargets.operator;
    if (operator !== undefined) {
      try {
        const result = await call.transfer(operator);
        if (result.outcome === "success") journal.setOutcome(call.id, "transferred");
      } catch (error) {
        log.info({ err: describeError(error) }, "fallback transfer failed");
      }
    }
    if (!hasEnded(call)) await call.hangup();
  };

  const ev = session.events;
  ev.on("agent_audio", ({ itemId, frame }) => {
    if (stop.signal.aborted) return;
    response.open();
    latestItem = itemId;
    transcripts.addAudio(itemId, (frame.samples.length / frame.sampleRateHz) * 1000 || frameMs);
    playout.write(itemId, frame);
  });
  ev.on("agent_transcript", ({ itemId, delta }) => transcripts.addText(itemId, delta));
  ev.on("caller_transcript", ({ text }) => {
    turnId++;
    callerSpeech.turnEnded(clock.nowMs());
    // Transcripts are PII: journaled (turns), never logged.
    hub.emit("user_turn", { turnId, text, reason: "endpoint" });
  });
  ev.on("caller_speech_started", () => {
    callerSpeech.speech(true, clock.nowMs());
    if (!playout.playing) return;
    // Barge-in: our queue stops at once; the model keeps only what the caller heard.
    const cut = playout.cut();
    if (cut.itemId === undefined) return;
    session.interrupt(cut.itemId === latestItem ? cut.playedMs : 0);
    interruptions.push({ itemId: cut.itemId, playedMs: cut.playedMs });
    const said = transcripts.take(cut.itemId);
    hub.emit("interrupt", {
      heardText: heardPrefix(said.text, cut.playedMs, said.audioMs),
      playedMs: cut.playedMs,
    });
    o.metrics.bargeIn(call.lineName);
    journal.event(call.id, "barge_in", { playedMs: Math.round(cut.playedMs) });
  });
  ev.on("response_done", () => {
    playout.endItem();
    for (const itemId of transcripts.itemIds()) {
      const said = transcripts.take(itemId).text.trim();
      if (said.length > 0) hub.emit("agent_text", { text: said, kind: kind() });
    }
    response.close();
  });
  ev.on("tool_call", (e) => {
    response.open();
    own(
      (async () => {
        let content: string;
        try {
          const result = await toolHandler(
            { id: e.callId, name: e.name, arguments: e.arguments },
            { signal: stop.signal, afterPlayout },
          );
          if (result.endCall === true) {
            // Ordered end: what the model said in this response plays out, then BYE.
            await endAfterPlayout(e.name === "transfer" ? "transferred" : "end_call");
            return;
          }
          content = result.content;
        } catch (error) {
          log.info({ err: describeError(error), tool: e.name }, "tool failed");
          content = `${e.name} failed`;
        }
        if (stop.signal.aborted) return;
        const note = announcements.get(e.callId);
        announcements.delete(e.callId);
        session.sendToolResult(
          e.callId,
          note === undefined ? content : `${content}. Tell the caller: ${note}`,
        );
        response.open();
      })(),
    );
  });
  ev.on("error", (e) => {
    log.warn({ code: e.code }, "realtime error event");
    journal.event(call.id, "error", { engine: "llm", code: e.code });
    o.metrics.providerError(providerName, "llm");
  });
  ev.on("closed", (e) => own(fail(e.code)));

  void call.ended.then(() => {
    stop.abort();
    response.close();
  });
  let connected = false;
  const pump = (async () => {
    for await (const frame of audio.frames()) {
      if (connected && !stop.signal.aborted) session.writeCallerAudio(frame);
    }
  })();
  try {
    await session.connect(AbortSignal.any([stop.signal, AbortSignal.timeout(o.connectTimeoutMs ?? 10_000)]));
    connected = !stop.signal.aborted;
    if (connected && config.greeting.length > 0) {
      session.respond(greetingInstructions(config.greeting));
      response.open();
    }
  } catch (error) {
    log.warn({ err: describeError(error) }, "realtime session could not connect");
    own(fail("connect_failed"));
  }

  await pump;
  await call.ended;
  stop.abort();
  session.close();
  await Promise.allSettled([...tasks]);
  reportMediaStats(call, o.metrics);
  turns.close();
  log.info({ reason, bargeIns: interruptions.length }, "realtime conversation ended");
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
  o.onCallDone?.({
    callId: call.id,
    reason,
    wireToWireMs: [...turns.wireToWireMs],
    interruptions,
    recordingPath,
  });
}

/** Reads the state afresh (narrowing of `call.state` is stale after an await). */
function hasEnded(call: Call): boolean {
  return call.state === "ended";
}

async function openRecording(
  call: Call,
  o: RealtimeAgentOptions,
  log: Logger,
): Promise<CallRecordingWriter | undefined> {
  try {
    const dir = resolve(o.recordings.dir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${call.id}.wav`);
    const writer = await CallRecordingWriter.open({
      path,
      sampleRateHz: call.audio.sampleRateHz,
      originMs: o.clock.nowMs(),
    });
    o.journal.setRecording(call.id, path);
    return writer;
  } catch (error) {
    log.warn({ err: describeError(error) }, "could not open the call recording");
    return undefined;
  }
}
