import type { AudioFrame } from "../../media/index.js";
import { type Clock, describeError, type Logger, RingagentError, type Timer } from "../../shared/index.js";
import { asRingagentError, type RetryPolicy, retryingStream } from "../base/provider-retry.js";
import { TypedEmitter } from "../base/typed-emitter.js";
import { FrameQueue } from "../frames/frame-queue.js";
import type { EndReason, PipelineFrame, PipelineTimerKind } from "../frames/pipeline-frame.js";
import { ConversationHistory, type ToolCall } from "../history/conversation-history.js";
import type { LlmProvider, ToolSpec } from "../llm/llm-types.js";
import type { SttStream } from "../stt/stt-types.js";
import { EchoGuard } from "../turn/echo-guard.js";
import { EnergyVad } from "../vad/energy-vad.js";
import type { AgentSpeech, SpeechKind } from "./agent-speech.js";
import type { CallAudio, PlayoutSink } from "./call-audio.js";
import { CallerListener } from "./caller-listener.js";
import {
  type BargeInOptions,
  type BehaviourOptions,
  type ConversationPipelineOptions,
  defaultBargeInOptions,
  defaultBehaviourOptions,
  defaultTurnOptions,
  type FallbackAction,
  type PipelineEvents,
  type ToolHandler,
  type TurnOptions,
} from "./pipeline-options.js";
import { ResponseState, trimToHeard } from "./response-state.js";
import { SpeechPlayer } from "./speech-player.js";
import { TurnStateMachine } from "./turn-state.js";

/** The caller's turn being heard: transcripts gathered until endpointing hands it to the agent. */
interface CallerTurn {
  finals: string[];
  partial: string;
  hadSpeech: boolean;
  lastVoicedAtMs: number;
  sttFinalAtMs: number | undefined;
}

const newTurn = (): CallerTurn => ({
  finals: [],
  partial: "",
  hadSpeech: false,
  lastVoicedAtMs: 0,
  sttFinalAtMs: undefined,
});

/** Tools the pipeline can run without an agent: `end_call` ends the call after the reply. */
const defaultToolHandler: ToolHandler = async (call) =>
  call.name === "end_call"
    ? { content: "ending the call", endCall: true }
    : { content: `${call.name} is not available` };

export interface PipelineEnd {
  readonly reason: EndReason;
  readonly fallbackAction: FallbackAction | undefined;
}

/**
 * One call's conversation: caller audio in, agent audio out. Frames from the caller, STT, LLM, TTS,
 * the sink and timers go through one two-lane {@link FrameQueue} and are handled one at a time by an
 * exhaustive switch, so the turn state is only ever touched by this loop.
 */
export class ConversationPipeline {
  readonly history: ConversationHistory;
  readonly events: TypedEmitter<PipelineEvents>;
  readonly #callAudio: CallAudio;
  readonly #sink: PlayoutSink;
  readonly #o: ConversationPipelineOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #turnOptions: TurnOptions;
  readonly #bargeIn: BargeInOptions;
  readonly #behaviour: BehaviourOptions;
  readonly #retry: Partial<RetryPolicy>;
  readonly #tools: readonly ToolSpec[];
  readonly #llm: LlmProvider;
  readonly #queue = new FrameQueue();
  readonly #state: TurnStateMachine;
  readonly #echo: EchoGuard;
  readonly #listener: CallerListener;
  readonly #player: SpeechPlayer;
  readonly #backchannels: Set<string>;
  readonly #abort = new AbortController();
  readonly #timers = new Map<PipelineTimerKind, { serial: number; timer: Timer }>();
  readonly #playoutWaiters: Array<() => void> = [];
  /** Replies whose words may still be playing (for trimming on barge-in). */
  readonly #replies = new Map<number, ResponseState>();
  /** Replies whose metrics wait for their first audio. */
  readonly #unreported = new Map<number, ResponseState>();
  #timerSerial = 0;
  #stt: SttStream | undefined;
  #turn: CallerTurn = newTurn();
  #turnId = 0;
  #response: ResponseState | undefined;
  #nextResponseId = 1;
  #outstandingFinals = 0;
  #discardFinals = 0;
  #reprompts = 0;
  #endReason: EndReason = "agent_ended";
  #fallbackAction: FallbackAction | undefined;
  #resolveDone: (end: PipelineEnd) => void = () => undefined;
  readonly done: Promise<PipelineEnd>;

  constructor(options: ConversationPipelineOptions) {
    this.#o = options;
    this.#callAudio = options.callAudio;
    this.#sink = options.sink;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#llm = options.llm;
    this.#turnOptions = { ...defaultTurnOptions, ...options.turn };
    this.#bargeIn = { ...defaultBargeInOptions, ...options.bargeIn };
    this.#behaviour = { ...defaultBehaviourOptions, ...options.behaviour };
    this.#retry = options.retry ?? {};
    this.#tools = options.tools ?? [];
    this.#backchannels = new Set(this.#bargeIn.backchannels.map((w) => w.toLowerCase()));
    this.history = new ConversationHistory(options.instructions);
    this.events = new TypedEmitter((error) =>
      this.#log.warn({ err: describeError(error) }, "pipeline listener threw"),
    );
    this.#state = new TurnStateMachine((from, to) => this.#log.debug({ from, to }, "turn state"));
    this.#echo = new EchoGuard(options.echo);
    this.#listener = new CallerListener(
      options.vad ?? new EnergyVad(),
      this.#echo,
      this.#turnOptions.preRollMs,
    );
    this.#player = new SpeechPlayer(this.#sink, options.tts, this.#queue, this.#clock, this.#retry);
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  get state(): string {
    return this.#state.state;
  }

  /** Frames dropped from the queue by interruptions (stale LLM/TTS output). */
  get droppedFrames(): number {
    return this.#queue.dropped;
  }

  /** Starts listening (and greeting); resolves `done` when the pipeline ends. */
  start(): Promise<PipelineEnd> {
    const signal = this.#abort.signal;
    this.#stt = this.#o.stt.open({
      sampleRateHz: this.#callAudio.sampleRateHz,
      language: this.#o.language ?? "en-US",
      signal,
    });
    this.#listener.stt = this.#stt;
    this.#spawn("stt", this.#readTranscripts(this.#stt));
    this.#spawn("caller-audio", this.#readCallerAudio());
    this.#spawn("phrases", this.#preparePhrases(signal));
    if (this.#o.greeting !== undefined && this.#o.greeting.length > 0) {
      this.#speakPhrase("greeting", this.#o.greeting, true);
      this.#state.transition("agent_thinking");
    } else {
      this.#toListening();
    }
    this.#spawn("loop", this.#run());
    return this.done;
  }

  /** Ordered end: what is queued (and the goodbye) plays to the end, then the pipeline ends. */
  end(reason: EndReason = "agent_ended", goodbye?: string): void {
    this.#queue.push({ kind: "end", reason, goodbye });
  }

  /** Immediate end (the caller hung up): everything stops now. */
  cancel(reason: EndReason = "caller_hangup"): void {
    this.#queue.push({ kind: "cancel", reason });
  }

  // ---------------------------------------------------------------- background tasks

  #spawn(name: string, task: Promise<void>): void {
    void task.catch((error: unknown) => {
      if (this.#abort.signal.aborted) return;
      this.#log.warn({ task: name, err: describeError(error) }, "pipeline task failed");
    });
  }

  async #run(): Promise<void> {
    for (;;) {
      try {
        await this.#queue.wait();
      } catch {
        return; // closed
      }
      for (let frame = this.#queue.shift(); frame !== undefined; frame = this.#queue.shift()) {
        try {
          this.#handle(frame);
        } catch (error) {
          this.#log.error({ frame: frame.kind, err: describeError(error) }, "pipeline frame handler failed");
        }
        if (this.#state.is("ended")) return;
      }
    }
  }

  async #readCallerAudio(): Promise<void> {
    try {
      for await (const frame of this.#callAudio.frames()) {
        if (this.#abort.signal.aborted) return;
        this.#queue.push({ kind: "caller_audio", frame, atMs: this.#clock.nowMs() });
      }
    } finally {
      this.cancel("caller_hangup");
    }
  }

  async #readTranscripts(stream: SttStream): Promise<void> {
    try {
      for await (const result of stream.results()) {
        this.#queue.push({ kind: "transcript", result, atMs: this.#clock.nowMs() });
      }
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      const e = asRingagentError(this.#o.stt.name, error);
      this.#queue.push({
        kind: "engine_error",
        engine: "stt",
        responseId: undefined,
        speechId: undefined,
        error: e,
      });
    }
  }

  async #preparePhrases(signal: AbortSignal): Promise<void> {
    const b = this.#behaviour;
    for (const text of [b.apology, ...b.fillers, b.reprompt, b.idleGoodbye]) {
      try {
        await this.#player.prepare(text, signal);
      } catch {
        if (signal.aborted) return;
      }
    }
  }

  // ---------------------------------------------------------------- dispatch

  #handle(frame: PipelineFrame): void {
    if (this.#state.is("ended")) return;
    switch (frame.kind) {
      case "caller_audio":
        this.#onCallerAudio(frame.frame, frame.atMs);
        return;
      case "caller_started_speaking":
        this.#onCallerStarted(frame.atMs);
        return;
      case "caller_stopped_speaking":
        this.#onCallerStopped(frame.atMs, frame.lastVoicedAtMs);
        return;
      case "transcript":
        this.#onTranscript(frame.result.text, frame.result.final, frame.atMs);
        return;
      case "user_turn":
        this.#startResponse(frame.text, frame.reason);
        return;
      case "llm_text":
        this.#onLlmText(frame.responseId, frame.text);
        return;
      case "llm_tool_call":
        this.#onToolCall(frame.responseId, frame.call);
        return;
      case "llm_done":
        this.#onLlmDone(frame.responseId);
        return;
      case "tool_result":
        this.#onToolResult(frame);
        return;
      case "tts_audio":
        this.#onTtsAudio(frame.speechId, frame);
        return;
      case "tts_sentence_done":
        this.#player.get(frame.speechId)?.sentenceDone(frame.text, frame.words);
        return;
      case "tts_done":
        if (this.#player.finishAudio(frame.speechId)) this.#afterSpeechCompleted();
        return;
      case "playout_done":
        this.#onPlayoutDone(frame.speechId, frame.handleSerial, frame.completed);
        return;
      case "timer":
        this.#onTimer(frame.timer, frame.serial);
        return;
      case "interrupt":
        this.#onInterrupt(frame.heardText, frame.playedMs);
        return;
      case "cancel":
        this.#finish(frame.reason, true);
        return;
      case "engine_error":
        this.#onEngineError(frame);
        return;
      case "end":
        this.#onEnd(frame.reason, frame.goodbye);
        return;
    }
  }

  // ---------------------------------------------------------------- caller side

  #onCallerAudio(frame: AudioFrame, atMs: number): void {
    this.#player.noteEcho(this.#echo, atMs);
    const heard = this.#listener.hear(frame, atMs);
    if (heard.event === "speech_start") this.#queue.push({ kind: "caller_started_speaking", atMs });
    if (heard.event === "speech_end") {
      this.#queue.push({
        kind: "caller_stopped_speaking",
        atMs,
        lastVoicedAtMs: this.#listener.lastVoicedAtMs,
      });
    }
    // Barge-in candidate: enough caller speech (above the echo gate) while the agent is talking or about to.
    if (
      this.#bargeIn.enabled &&
      this.#listener.speaking &&
      this.#listener.voicedMs >= this.#bargeIn.minSpeechMs &&
      this.#state.is("agent_speaking", "agent_thinking")
    ) {
      this.#pauseForBargeIn();
    }
    this.#checkEndpoint();
    if (this.#playoutWaiters.length > 0 && this.#player.allPlayedOut()) this.#releasePlayoutWaiters();
  }

  #onCallerStarted(atMs: number): void {
    this.events.emit("caller_speech", { speaking: true, atMs });
    if (this.#state.is("listening")) {
      this.#cancelTimer("idle");
      this.#turn = newTurn();
      this.#state.transition("caller_speaking");
      this.#setTimer("max_speech", this.#turnOptions.maxCallerSpeechMs);
    }
  }

  #onCallerStopped(atMs: number, lastVoicedAtMs: number): void {
    this.events.emit("caller_speech", { speaking: false, atMs });
    const enough = this.#listener.voicedMs >= this.#turnOptions.minSpeechMs;
    this.#stt?.finalize();
    this.#outstandingFinals++;
    if (!enough) {
      // Too short for a turn: a noise. Its transcript (if any) is ignored.
      this.#discardFinals++;
      if (this.#state.is("caller_speaking") && !this.#turn.hadSpeech) {
        this.#cancelTimer("max_speech");
        this.#toListening();
      }
      return;
    }
    this.#turn.hadSpeech = true;
    this.#turn.lastVoicedAtMs = lastVoicedAtMs;
  }

  #onTranscript(text: string, final: boolean, atMs: number): void {
    this.events.emit("transcript", { text, final });
    if (final) {
      this.#outstandingFinals = Math.max(0, this.#outstandingFinals - 1);
      if (this.#discardFinals > 0) {
        this.#discardFinals--;
        return;
      }
      if (text.trim().length > 0) this.#turn.finals.push(text.trim());
      this.#turn.partial = "";
      this.#turn.sttFinalAtMs = atMs;
    } else {
      this.#turn.partial = text.trim();
    }
    if (this.#state.is("barge_in_pending")) {
      if (this.#nonBackchannelWords(this.#turnText()) >= this.#bargeIn.minWords) this.#confirmBargeIn();
      else if (final && !this.#listener.speaking && this.#finalsPending() === 0) this.#resume();
      return;
    }
    this.#checkEndpoint();
  }

  #turnText(): string {
    const finals = this.#turn.finals.join(" ");
    return this.#turn.partial.length > 0 ? `${finals} ${this.#turn.partial}`.trim() : finals;
  }

  #finalsPending(): number {
    return Math.max(0, this.#outstandingFinals - this.#discardFinals);
  }

  #nonBackchannelWords(text: string): number {
    const words = text.toLowerCase().match(/[a-z0-9'-]+/g) ?? [];
    return words.filter((w) => !this.#backchannels.has(w)).length;
  }

  /** Endpointing: silence window elapsed and the STT final is in (or did not come in time). */
  #checkEndpoint(): void {
    if (this.#listener.speaking || !this.#turn.hadSpeech) return;
    const silenceMs = this.#listener.silenceMs;
    const t = this.#turnOptions;
    if (silenceMs < t.endpointSilenceMs) return;
    const waitedForFinal = silenceMs >= t.endpointSilenceMs + t.sttFinalTimeoutMs;
    if (this.#finalsPending() > 0 && !waitedForFinal) return;
    if (this.#state.is("caller_speaking")) {
      this.#endOfTurn("endpoint");
    } else if (this.#state.is("barge_in_pending")) {
      // The caller stopped and no real words came: a backchannel or a noise.
      if (this.#nonBackchannelWords(this.#turnText()) >= this.#bargeIn.minWords) this.#confirmBargeIn();
      else this.#resume();
    }
  }

  #endOfTurn(reason: "endpoint" | "max_speech"): void {
    this.#cancelTimer("max_speech");
    const text = this.#turnText();
    if (reason === "max_speech" && this.#finalsPending() > 0) this.#discardFinals = this.#outstandingFinals;
    if (text.length === 0) {
      this.#turn = newTurn();
      this.#toListening();
      return;
    }
    this.#reprompts = 0;
    this.#state.transition("agent_thinking");
    this.#queue.push({ kind: "user_turn", text, reason });
  }

  // ---------------------------------------------------------------- barge-in

  #pauseForBargeIn(): void {
    this.#player.pauseAll();
    this.#turn = newTurn();
    this.#turn.lastVoicedAtMs = this.#listener.lastVoicedAtMs;
    this.#state.transition("barge_in_pending");
    this.#setTimer("false_interruption", this.#bargeIn.falseInterruptionMs);
  }

  #confirmBargeIn(): void {
    const response = this.#player.speeches.find((s) => s.kind === "response" || s.historyIndex !== undefined);
    this.#queue.push({
      kind: "interrupt",
      responseId: this.#response?.id ?? 0,
      heardText: response?.heardText() ?? "",
      playedMs: response?.heardMs() ?? 0,
    });
    this.#cancelTimer("false_interruption");
    this.#turn.hadSpeech = this.#turn.hadSpeech || this.#listener.voicedMs >= this.#turnOptions.minSpeechMs;
    this.#state.transition("caller_speaking");
    this.#setTimer("max_speech", this.#turnOptions.maxCallerSpeechMs);
  }

  /** The `interrupt` frame (priority lane): cancel the reply, drop its queued output, trim history. */
  #onInterrupt(heardText: string, playedMs: number): void {
    const response = this.#response;
    this.#dropAgentOutput();
    if (response !== undefined) this.#emitMetrics(response, true);
    this.events.emit("interrupt", { heardText, playedMs });
  }

  #dropAgentOutput(): void {
    const response = this.#response;
    this.#response = undefined;
    this.#cancelTimer("filler");
    response?.abort.abort();
    response?.release();
    const dropped = this.#player.dropAll();
    const ids = new Set(dropped.map((s) => s.id));
    this.#queue.dropData(
      (f) =>
        ("responseId" in f && response !== undefined && f.responseId === response.id) ||
        ("speechId" in f && f.speechId !== undefined && ids.has(f.speechId)),
    );
    for (const speech of dropped) {
      const reply = speech.responseId === undefined ? undefined : this.#replies.get(speech.responseId);
      if (reply !== undefined) {
        trimToHeard(this.history, reply.messages, speech.heardText());
        this.#replies.delete(reply.id);
      } else if (speech.historyIndex !== undefined) {
        const heard = speech.heardText();
        this.history.replace(speech.historyIndex, { role: "assistant", content: heard, interrupted: true });
      }
    }
    if (response !== undefined && this.#replies.has(response.id)) {
      trimToHeard(this.history, response.messages, "");
      this.#replies.delete(response.id);
    }
  }

  #resume(): void {
    this.#cancelTimer("false_interruption");
    const playedMs = this.#player.speeches[0]?.heardMs() ?? 0;
    this.#player.resumeAll();
    this.#discardFinals = this.#outstandingFinals;
    this.#turn = newTurn();
    const audible = this.#player.speeches.some((s) => s.frames.length > 0);
    if (audible) this.#state.transition("agent_speaking");
    else if (this.#response !== undefined || this.#player.speeches.length > 0)
      this.#state.transition("agent_thinking");
    else this.#toListening();
    this.events.emit("resumed", { playedMs });
  }

  // ---------------------------------------------------------------- agent side

  #startResponse(text: string, reason: "endpoint" | "max_speech"): void {
    if (this.#state.is("ending")) return;
    this.#turnId++;
    this.history.add({ role: "user", content: text });
    this.events.emit("user_turn", { turnId: this.#turnId, text, reason });
    const response = new ResponseState(this.#nextResponseId++, this.#turnId, this.#abort.signal);
    response.endOfTurnAtMs = this.#clock.nowMs();
    response.lastVoicedAtMs = this.#turn.lastVoicedAtMs;
    response.sttFinalAtMs = this.#turn.sttFinalAtMs;
    this.#turn = newTurn();
    this.#response = response;
    this.#unreported.set(response.id, response);
    this.#replies.set(response.id, response);
    this.#setTimer("filler", this.#behaviour.fillerAfterMs);
    this.#runLlmRound(response);
  }

  #runLlmRound(response: ResponseState): void {
    response.beginRound(this.#clock.nowMs());
    const messages = [...this.history.messages()];
    const signal = response.abort.signal;
    const task = async (): Promise<void> => {
      try {
        const stream = retryingStream(() => this.#llm.stream({ messages, tools: this.#tools, signal }), {
          provider: this.#llm.name,
          clock: this.#clock,
          signal,
          policy: this.#retry,
        });
        for await (const event of stream) {
          if (event.kind === "text")
            this.#queue.push({ kind: "llm_text", responseId: response.id, text: event.text });
          else this.#queue.push({ kind: "llm_tool_call", responseId: response.id, call: event.call });
        }
        this.#queue.push({ kind: "llm_done", responseId: response.id });
      } catch (error) {
        if (signal.aborted) return;
        const e = asRingagentError(this.#llm.name, error);
        this.#queue.push({
          kind: "engine_error",
          engine: "llm",
          responseId: response.id,
          speechId: undefined,
          error: e,
        });
      }
    };
    this.#spawn("llm", task());
  }

  #current(responseId: number): ResponseState | undefined {
    return this.#response !== undefined && this.#response.id === responseId ? this.#response : undefined;
  }

  #onLlmText(responseId: number, text: string): void {
    const response = this.#current(responseId);
    if (response === undefined) return;
    response.llmFirstTokenAtMs ??= this.#clock.nowMs();
    response.appendText(this.history, text);
    for (const sentence of response.splitter.push(text)) this.#speakSentence(response, sentence);
  }

  #speakSentence(response: ResponseState, text: string): void {
    if (response.speech === undefined)
      response.speech = this.#player.create("response", response.id, response.abort.signal);
    response.firstSentenceAtMs ??= this.#clock.nowMs();
    response.speech.submitSentence(text);
    this.events.emit("agent_text", { text, kind: "response" });
  }

  #onToolCall(responseId: number, call: ToolCall): void {
    const response = this.#current(responseId);
    if (response === undefined) return;
    // Words before a tool call are a complete thought: say them now (a transfer waits for them).
    const before = response.splitter.flush();
    if (before !== undefined) this.#speakSentence(response, before);
    response.addToolCall(this.history, call);
    const handler = this.#o.toolHandler ?? defaultToolHandler;
    const signal = response.abort.signal;
    const task = async (): Promise<void> => {
      try {
        const result = await handler(call, { signal, afterPlayout: () => this.#afterPlayout() });
        this.#queue.push({
          kind: "tool_result",
          responseId,
          call,
          content: result.content,
          endCall: result.endCall === true,
        });
      } catch (error) {
        if (signal.aborted) return;
        const e = asRingagentError(`tool ${call.name}`, error);
        this.#queue.push({ kind: "engine_error", engine: "tool", responseId, speechId: undefined, error: e });
      }
    };
    this.#spawn("tool", task());
  }

  #onToolResult(frame: PipelineFrame & { kind: "tool_result" }): void {
    // Survives interruption: the action happened, so the model must know.
    this.history.add({
      role: "tool",
      toolCallId: frame.call.id,
      name: frame.call.name,
      content: frame.content,
    });
    if (frame.endCall) this.#queue.push({ kind: "end", reason: "tool", goodbye: undefined });
    const response = this.#current(frame.responseId);
    if (response === undefined) return;
    response.pendingTools = Math.max(0, response.pendingTools - 1);
    response.endCall ||= frame.endCall;
    this.#continueResponse(response);
  }

  #onLlmDone(responseId: number): void {
    const response = this.#current(responseId);
    if (response === undefined) return;
    const rest = response.splitter.flush();
    if (rest !== undefined) this.#speakSentence(response, rest);
    response.llmDone = true;
    this.#continueResponse(response);
  }

  /** After the LLM round and its tools: another round with the tool results, or the reply is complete. */
  #continueResponse(response: ResponseState): void {
    if (!response.llmDone || response.pendingTools > 0) return;
    const more =
      response.toolCallsThisRound > 0 &&
      !response.endCall &&
      response.round < this.#behaviour.maxToolRounds &&
      !this.#state.is("ending");
    if (more) {
      this.#runLlmRound(response);
      return;
    }
    this.#response = undefined;
    this.#cancelTimer("filler");
    response.release();
    response.speech?.sentences.close();
    if (response.speech === undefined) {
      this.#emitMetrics(response, false);
      this.#replies.delete(response.id);
    }
    this.#afterSpeechCompleted();
  }

  #onTtsAudio(speechId: number, frame: PipelineFrame & { kind: "tts_audio" }): void {
    const speech = this.#player.get(speechId);
    if (speech === undefined) return;
    const owner = speech.responseId === undefined ? undefined : this.#unreported.get(speech.responseId);
    if (owner !== undefined) owner.ttsFirstAudioAtMs ??= this.#clock.nowMs();
    const first = this.#player.addAudio(speechId, frame.frame);
    if (first === undefined) return;
    const atMs = this.#clock.nowMs();
    this.events.emit("agent_audio_started", { utteranceId: first.utteranceId, kind: first.kind, atMs });
    if (owner !== undefined) {
      owner.firstAudioToSinkAtMs ??= atMs;
      this.#emitMetrics(owner, false);
    }
    if (this.#state.is("agent_thinking", "listening", "starting")) this.#state.transition("agent_speaking");
  }

  #onPlayoutDone(speechId: number, handleSerial: number, completed: boolean): void {
    const speech = this.#player.get(speechId);
    if (speech === undefined || speech.handleSerial !== handleSerial || !completed) return;
    this.#player.remove(speech);
    if (speech.responseId !== undefined) this.#replies.delete(speech.responseId);
    this.#afterSpeechCompleted();
  }

  /** A speech finished (or a reply produced nothing): the agent may now be idle. */
  #afterSpeechCompleted(): void {
    if (this.#player.allPlayedOut()) this.#releasePlayoutWaiters();
    if (this.#player.speeches.length > 0) return;
    if (this.#state.is("ending")) {
      if (this.#response === undefined) this.#finish(this.#endReason, false);
      return;
    }
    if (this.#response !== undefined) {
      if (this.#state.is("agent_speaking")) this.#state.transition("agent_thinking");
      return;
    }
    if (this.#state.is("agent_speaking", "agent_thinking", "starting")) this.#toListening();
  }

  #speakPhrase(kind: SpeechKind, text: string, addToHistory: boolean): AgentSpeech {
    const speech = this.#player.create(kind, undefined, this.#abort.signal);
    if (addToHistory) speech.historyIndex = this.history.add({ role: "assistant", content: text });
    speech.submitSentence(text);
    speech.sentences.close();
    this.events.emit("agent_text", { text, kind });
    return speech;
  }

  #afterPlayout(): Promise<void> {
    if (this.#player.allPlayedOut()) return Promise.resolve();
    return new Promise((resolve) => this.#playoutWaiters.push(resolve));
  }

  #releasePlayoutWaiters(): void {
    for (const resolve of this.#playoutWaiters.splice(0)) resolve();
  }

  #toListening(): void {
    this.#state.transition("listening");
    this.#setTimer("idle", this.#turnOptions.idleRepromptMs);
  }

  // ---------------------------------------------------------------- timers, failures, end

  #setTimer(kind: PipelineTimerKind, delayMs: number): void {
    this.#cancelTimer(kind);
    const serial = ++this.#timerSerial;
    const timer = this.#clock.setTimer(delayMs, () =>
      this.#queue.push({ kind: "timer", timer: kind, serial }),
    );
    this.#timers.set(kind, { serial, timer });
  }

  #cancelTimer(kind: PipelineTimerKind): void {
    this.#timers.get(kind)?.timer.cancel();
    this.#timers.delete(kind);
  }

  #onTimer(kind: PipelineTimerKind, serial: number): void {
    if (this.#timers.get(kind)?.serial !== serial) return;
    this.#timers.delete(kind);
    switch (kind) {
      case "filler":
        this.#onFillerTimer();
        return;
      case "idle":
        this.#onIdleTimer();
        return;
      case "false_interruption":
        if (!this.#state.is("barge_in_pending")) return;
        if (this.#listener.speaking || this.#finalsPending() > 0) {
          this.#setTimer("false_interruption", 200); // still talking: decide when they stop
        } else if (this.#nonBackchannelWords(this.#turnText()) >= this.#bargeIn.minWords) {
          this.#confirmBargeIn();
        } else {
          this.#resume();
        }
        return;
      case "max_speech":
        // The caller spoke too long without a pause: acknowledge with what we have.
        if (this.#state.is("caller_speaking")) {
          if (this.#finalsPending() === 0) this.#stt?.finalize();
          this.#endOfTurn("max_speech");
        }
        return;
    }
  }

  /** Never more than a moment of dead air while a reply is pending: a filler, then an apology. */
  #onFillerTimer(): void {
    const response = this.#response;
    if (response === undefined || !this.#state.is("agent_thinking", "agent_speaking")) return;
    if (this.#player.deadAir()) {
      if (response.fillers >= this.#behaviour.maxFillers) {
        const error = new RingagentError("pipeline_reply_timeout", "the reply took too long");
        this.#queue.push({
          kind: "engine_error",
          engine: "llm",
          responseId: response.id,
          speechId: undefined,
          error,
        });
        return;
      }
      const fillers = this.#behaviour.fillers;
      const text = fillers[response.fillers % Math.max(1, fillers.length)] ?? "One moment.";
      response.fillers++;
      this.#speakPhrase("filler", text, false);
    }
    this.#setTimer("filler", this.#behaviour.fillerAfterMs);
  }

  #onIdleTimer(): void {
    if (!this.#state.is("listening")) return;
    this.#reprompts++;
    if (this.#reprompts > this.#turnOptions.maxReprompts) {
      this.#onEnd("caller_idle", this.#behaviour.idleGoodbye);
      return;
    }
    this.#speakPhrase("prompt", this.#behaviour.reprompt, true);
    this.#state.transition("agent_thinking");
  }

  #onEngineError(frame: PipelineFrame & { kind: "engine_error" }): void {
    this.events.emit("engine_error", { engine: frame.engine, code: frame.error.code });
    this.#log.warn(
      { engine: frame.engine, code: frame.error.code, retryable: frame.error.retryable },
      "engine failed",
    );
    if (this.#state.is("ending")) {
      // Even the goodbye or apology failed: end without it.
      const speech = frame.speechId === undefined ? undefined : this.#player.get(frame.speechId);
      if (speech !== undefined) this.#player.remove(speech);
      this.#afterSpeechCompleted();
      return;
    }
    const response = this.#response;
    this.#dropAgentOutput();
    if (response !== undefined) this.#emitMetrics(response, false);
    this.#fallbackAction = this.#behaviour.fallbackAction;
    this.#cancelTimer("false_interruption");
    this.#cancelTimer("max_speech");
    this.#endReason = "engine_failure";
    this.#state.transition("ending");
    this.#speakPhrase("apology", this.#behaviour.apology, true);
  }

  #onEnd(reason: EndReason, goodbye: string | undefined): void {
    if (this.#state.is("ending")) return;
    if (this.#state.is("barge_in_pending")) this.#player.resumeAll();
    this.#endReason = reason;
    for (const kind of ["idle", "false_interruption", "max_speech"] as const) this.#cancelTimer(kind);
    this.#state.transition("ending");
    if (goodbye !== undefined && goodbye.length > 0) this.#speakPhrase("goodbye", goodbye, true);
    this.#afterSpeechCompleted();
  }

  #finish(reason: EndReason, immediate: boolean): void {
    if (this.#state.is("ended")) return;
    this.#state.transition("ended");
    if (immediate) this.#sink.flush();
    for (const kind of [...this.#timers.keys()]) this.#cancelTimer(kind);
    this.#response?.abort.abort();
    this.#abort.abort();
    this.#stt?.close();
    this.#queue.close();
    this.#releasePlayoutWaiters();
    const end: PipelineEnd = {
      reason,
      fallbackAction: reason === "engine_failure" ? this.#fallbackAction : undefined,
    };
    this.events.emit("ended", end);
    this.#resolveDone(end);
  }

  #emitMetrics(response: ResponseState, interrupted: boolean): void {
    if (response.metricsEmitted) return;
    response.metricsEmitted = true;
    this.#unreported.delete(response.id);
    this.events.emit("turn_metrics", response.metrics(interrupted));
  }
}
