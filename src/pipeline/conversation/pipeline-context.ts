import { type Clock, describeError, type Logger } from "../../shared/index.js";
import type { RetryPolicy } from "../base/provider-retry.js";
import { TypedEmitter } from "../base/typed-emitter.js";
import { FrameQueue } from "../frames/frame-queue.js";
import type { EndReason } from "../frames/pipeline-frame.js";
import { ConversationHistory } from "../history/conversation-history.js";
import type { LlmProvider, ToolSpec } from "../llm/llm-types.js";
import type { SttStream } from "../stt/stt-types.js";
import { EchoGuard } from "../turn/echo-guard.js";
import { EnergyVad } from "../vad/energy-vad.js";
import type { AgentSpeech, SpeechKind } from "./agent-speech.js";
import type { CallAudio, PlayoutSink } from "./call-audio.js";
import { CallerListener } from "./caller-listener.js";
import { type CallerTurn, newTurn } from "./caller-turn.js";
import {
  type BargeInOptions,
  type BehaviourOptions,
  type ConversationPipelineOptions,
  defaultBargeInOptions,
  defaultBehaviourOptions,
  defaultTurnOptions,
  type FallbackAction,
  type PipelineEvents,
  type TurnOptions,
} from "./pipeline-options.js";
import { PipelineTimers } from "./pipeline-timers.js";
import type { ResponseState } from "./response-state.js";
import { SpeechPlayer } from "./speech-player.js";
import { TurnMetricsReporter } from "./turn-metrics-reporter.js";
import { TurnStateMachine } from "./turn-state.js";

export interface PipelineEnd {
  readonly reason: EndReason;
  readonly fallbackAction: FallbackAction | undefined;
}

/**
 * The state of one call's conversation, shared by the operations that handle its frames (the caller's
 * turn, the reply, tools, barge-in, prompts, ending: one file each, like the parts of baresip's
 * sipsess). Only the {@link ConversationPipeline} loop calls those operations, one frame at a time, so
 * nothing here is touched concurrently. Internal to the pipeline layer: not exported from index.ts.
 */
export class PipelineContext {
  readonly options: ConversationPipelineOptions;
  readonly history: ConversationHistory;
  readonly events: TypedEmitter<PipelineEvents>;
  readonly callAudio: CallAudio;
  readonly sink: PlayoutSink;
  readonly clock: Clock;
  readonly log: Logger;
  readonly turnOptions: TurnOptions;
  readonly bargeIn: BargeInOptions;
  readonly behaviour: BehaviourOptions;
  readonly retry: Partial<RetryPolicy>;
  readonly tools: readonly ToolSpec[];
  readonly llm: LlmProvider;
  readonly queue = new FrameQueue();
  readonly timers: PipelineTimers;
  readonly state: TurnStateMachine;
  readonly echo: EchoGuard;
  readonly listener: CallerListener;
  readonly player: SpeechPlayer;
  readonly metrics: TurnMetricsReporter;
  readonly backchannels: ReadonlySet<string>;
  readonly abort = new AbortController();
  readonly playoutWaiters: Array<() => void> = [];
  /** Replies whose words may still be playing (for trimming on barge-in). */
  readonly replies = new Map<number, ResponseState>();
  stt: SttStream | undefined;
  turn: CallerTurn = newTurn();
  turnId = 0;
  /** The reply being produced (LLM rounds and tools), if any. */
  response: ResponseState | undefined;
  nextResponseId = 1;
  /** STT finals asked for (one per caller speech end) and not yet received. */
  outstandingFinals = 0;
  /** Of those, how many belong to noise or an abandoned turn and are ignored when they come. */
  discardFinals = 0;
  reprompts = 0;
  endReason: EndReason = "agent_ended";
  fallbackAction: FallbackAction | undefined;
  readonly done: Promise<PipelineEnd>;
  #resolveDone: (end: PipelineEnd) => void = () => undefined;

  constructor(options: ConversationPipelineOptions) {
    this.options = options;
    this.callAudio = options.callAudio;
    this.sink = options.sink;
    this.clock = options.clock;
    this.log = options.logger;
    this.llm = options.llm;
    this.turnOptions = { ...defaultTurnOptions, ...options.turn };
    this.bargeIn = { ...defaultBargeInOptions, ...options.bargeIn };
    this.behaviour = { ...defaultBehaviourOptions, ...options.behaviour };
    this.retry = options.retry ?? {};
    this.tools = options.tools ?? [];
    this.backchannels = new Set(this.bargeIn.backchannels.map((w) => w.toLowerCase()));
    this.history = new ConversationHistory(options.instructions);
    this.events = new TypedEmitter((error) =>
      this.log.warn({ err: describeError(error) }, "pipeline listener threw"),
    );
    this.timers = new PipelineTimers(this.clock, this.queue);
    this.state = new TurnStateMachine((from, to) => this.log.debug({ from, to }, "turn state"));
    this.echo = new EchoGuard(options.echo);
    this.listener = new CallerListener(options.vad ?? new EnergyVad(), this.echo, this.turnOptions.preRollMs);
    this.player = new SpeechPlayer(this.sink, options.tts, this.queue, this.clock, this.retry);
    this.metrics = new TurnMetricsReporter(this.events);
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  resolveDone(end: PipelineEnd): void {
    this.#resolveDone(end);
  }

  /** Runs a background task owned by the pipeline: its failure is logged unless the call is over. */
  spawn(name: string, task: Promise<void>): void {
    void task.catch((error: unknown) => {
      if (this.abort.signal.aborted) return;
      this.log.warn({ task: name, err: describeError(error) }, "pipeline task failed");
    });
  }

  /** The reply with this id if it is still the current one (frames of older replies are stale). */
  current(responseId: number): ResponseState | undefined {
    return this.response !== undefined && this.response.id === responseId ? this.response : undefined;
  }

  /** STT finals still to come that count for the caller's turn. */
  finalsPending(): number {
    return Math.max(0, this.outstandingFinals - this.discardFinals);
  }

  /** A fixed phrase (greeting, filler, prompt, apology, goodbye), queued after what is playing. */
  speakPhrase(kind: SpeechKind, text: string, addToHistory: boolean): AgentSpeech {
    const speech = this.player.create(kind, undefined, this.abort.signal);
    if (addToHistory) speech.historyIndex = this.history.add({ role: "assistant", content: text });
    speech.submitSentence(text);
    speech.sentences.close();
    this.events.emit("agent_text", { text, kind });
    return speech;
  }

  /** Resolves when everything queued for the caller so far has played (tools wait on it). */
  afterPlayout(): Promise<void> {
    if (this.player.allPlayedOut()) return Promise.resolve();
    return new Promise((resolve) => this.playoutWaiters.push(resolve));
  }

  releasePlayoutWaiters(): void {
    for (const resolve of this.playoutWaiters.splice(0)) resolve();
  }

  toListening(): void {
    this.state.transition("listening");
    this.timers.set("idle", this.turnOptions.idleRepromptMs);
  }
}
