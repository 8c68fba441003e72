import { describeError } from "../../shared/index.js";
import { asRingagentError } from "../base/provider-retry.js";
import type { TypedEmitter } from "../base/typed-emitter.js";
import type { EndReason, PipelineFrame, PipelineTimerKind } from "../frames/pipeline-frame.js";
import type { ConversationHistory } from "../history/conversation-history.js";
import type { SttStream } from "../stt/stt-types.js";
import { onFalseInterruptionTimer, onInterrupt } from "./barge-in-handler.js";
import {
  onCallerAudio,
  onCallerStarted,
  onCallerStopped,
  onMaxSpeechTimer,
  onTranscript,
} from "./caller-turn-handler.js";
import { onFillerTimer, onIdleTimer, preparePhrases } from "./idle-prompts.js";
import { PipelineContext, type PipelineEnd } from "./pipeline-context.js";
import { finish, onEnd, onEngineError } from "./pipeline-ending.js";
import type { ConversationPipelineOptions, PipelineEvents } from "./pipeline-options.js";
import { onPlayoutDone, onTtsAudio, onTtsDone, onTtsSentenceDone } from "./playout-handler.js";
import { onLlmDone, onLlmText, startResponse } from "./response-runner.js";
import { onToolCall, onToolResult } from "./tool-dispatch.js";

export type { PipelineEnd } from "./pipeline-context.js";

/**
 * One call's conversation: caller audio in, agent audio out. Frames from the caller, STT, LLM, TTS,
 * the sink and timers go through one two-lane {@link FrameQueue} and are handled one at a time by an
 * exhaustive switch, so the turn state is only ever touched by this loop.
 *
 * Each operation lives in its own file and works on the shared {@link PipelineContext}:
 * caller-turn-handler (hearing and endpointing), barge-in-handler, response-runner (LLM rounds),
 * tool-dispatch, playout-handler (TTS audio to the sink), idle-prompts (fillers, re-prompts) and
 * pipeline-ending (ordered end, cancel, engine failure).
 */
export class ConversationPipeline {
  readonly history: ConversationHistory;
  readonly events: TypedEmitter<PipelineEvents>;
  readonly done: Promise<PipelineEnd>;
  readonly #ctx: PipelineContext;

  constructor(options: ConversationPipelineOptions) {
    this.#ctx = new PipelineContext(options);
    this.history = this.#ctx.history;
    this.events = this.#ctx.events;
    this.done = this.#ctx.done;
  }

  get state(): string {
    return this.#ctx.state.state;
  }

  /** Frames dropped from the queue by interruptions (stale LLM/TTS output). */
  get droppedFrames(): number {
    return this.#ctx.queue.dropped;
  }

  /** Starts listening (and greeting); resolves `done` when the pipeline ends. */
  start(): Promise<PipelineEnd> {
    const ctx = this.#ctx;
    const signal = ctx.abort.signal;
    ctx.stt = ctx.options.stt.open({
      sampleRateHz: ctx.callAudio.sampleRateHz,
      language: ctx.options.language ?? "en-US",
      signal,
    });
    ctx.listener.stt = ctx.stt;
    ctx.spawn("stt", this.#readTranscripts(ctx.stt));
    ctx.spawn("caller-audio", this.#readCallerAudio());
    ctx.spawn("phrases", preparePhrases(ctx, signal));
    const greeting = ctx.options.greeting;
    if (greeting !== undefined && greeting.length > 0) {
      ctx.speakPhrase("greeting", greeting, true);
      ctx.state.transition("agent_thinking");
    } else {
      ctx.toListening();
    }
    ctx.spawn("loop", this.#run());
    return this.done;
  }

  /** Ordered end: what is queued (and the goodbye) plays to the end, then the pipeline ends. */
  end(reason: EndReason = "agent_ended", goodbye?: string): void {
    this.#ctx.queue.push({ kind: "end", reason, goodbye });
  }

  /** Immediate end (the caller hung up): everything stops now. */
  cancel(reason: EndReason = "caller_hangup"): void {
    this.#ctx.queue.push({ kind: "cancel", reason });
  }

  // ---------------------------------------------------------------- background tasks

  async #run(): Promise<void> {
    const ctx = this.#ctx;
    for (;;) {
      try {
        await ctx.queue.wait();
      } catch {
        return; // closed
      }
      for (let frame = ctx.queue.shift(); frame !== undefined; frame = ctx.queue.shift()) {
        try {
          this.#handle(frame);
        } catch (error) {
          ctx.log.error({ frame: frame.kind, err: describeError(error) }, "pipeline frame handler failed");
        }
        if (ctx.state.is("ended")) return;
      }
    }
  }

  async #readCallerAudio(): Promise<void> {
    const ctx = this.#ctx;
    try {
      for await (const frame of ctx.callAudio.frames()) {
        if (ctx.abort.signal.aborted) return;
        ctx.queue.push({ kind: "caller_audio", frame, atMs: ctx.clock.nowMs() });
      }
    } finally {
      this.cancel("caller_hangup");
    }
  }

  async #readTranscripts(stream: SttStream): Promise<void> {
    const ctx = this.#ctx;
    try {
      for await (const result of stream.results()) {
        ctx.queue.push({ kind: "transcript", result, atMs: ctx.clock.nowMs() });
      }
    } catch (error) {
      if (ctx.abort.signal.aborted) return;
      const e = asRingagentError(ctx.options.stt.name, error);
      ctx.queue.push({
        kind: "engine_error",
        engine: "stt",
        responseId: undefined,
        speechId: undefined,
        error: e,
      });
    }
  }

  // ---------------------------------------------------------------- dispatch

  #handle(frame: PipelineFrame): void {
    const ctx = this.#ctx;
    if (ctx.state.is("ended")) return;
    switch (frame.kind) {
      case "caller_audio":
        onCallerAudio(ctx, frame.frame, frame.atMs);
        return;
      case "caller_started_speaking":
        onCallerStarted(ctx, frame.atMs);
        return;
      case "caller_stopped_speaking":
        onCallerStopped(ctx, frame.atMs, frame.lastVoicedAtMs);
        return;
      case "transcript":
        onTranscript(ctx, frame.result.text, frame.result.final, frame.atMs);
        return;
      case "user_turn":
        startResponse(ctx, frame.text, frame.reason);
        return;
      case "llm_text":
        onLlmText(ctx, frame.responseId, frame.text);
        return;
      case "llm_tool_call":
        onToolCall(ctx, frame.responseId, frame.call);
        return;
      case "llm_done":
        onLlmDone(ctx, frame.responseId);
        return;
      case "tool_result":
        onToolResult(ctx, frame);
        return;
      case "tts_audio":
        onTtsAudio(ctx, frame.speechId, frame.frame);
        return;
      case "tts_sentence_done":
        onTtsSentenceDone(ctx, frame.speechId, frame.text, frame.words);
        return;
      case "tts_done":
        onTtsDone(ctx, frame.speechId);
        return;
      case "playout_done":
        onPlayoutDone(ctx, frame.speechId, frame.handleSerial, frame.completed);
        return;
      case "timer":
        this.#onTimer(frame.timer, frame.serial);
        return;
      case "interrupt":
        onInterrupt(ctx, frame.heardText, frame.playedMs);
        return;
      case "cancel":
        finish(ctx, frame.reason, true);
        return;
      case "engine_error":
        onEngineError(ctx, frame);
        return;
      case "end":
        onEnd(ctx, frame.reason, frame.goodbye);
        return;
    }
  }

  #onTimer(kind: PipelineTimerKind, serial: number): void {
    const ctx = this.#ctx;
    if (!ctx.timers.claim(kind, serial)) return;
    switch (kind) {
      case "filler":
        onFillerTimer(ctx);
        return;
      case "idle":
        onIdleTimer(ctx);
        return;
      case "false_interruption":
        onFalseInterruptionTimer(ctx);
        return;
      case "max_speech":
        onMaxSpeechTimer(ctx);
        return;
    }
  }
}
