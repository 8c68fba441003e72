/**
 * Turns as they happen, from the pipeline's events: the caller's text when the turn ends, the
 * agent's reply (trimmed to what was heard on barge-in), and the latency breakdown, including
 * wire-to-wire: from the caller's last voiced packet to our first voiced packet. Each turn is
 * written when the caller's text is known and again whenever more of it is known (same index =
 * replace), so a crash loses at most the last update.
 */
import type { PipelineEvents, TurnMetrics } from "../../pipeline/index.js";
import type { Clock } from "../../shared/index.js";
import type { TurnLatency } from "../../store/index.js";
import type { CallJournal } from "../call-journal.js";
import type { AgentMetrics } from "./agent-ports.js";

interface TurnDraft {
  readonly index: number;
  readonly startedAtMs: number;
  readonly callerText: string;
  /** Monotonic time of the end-of-turn decision. */
  readonly endOfTurnAtMs: number;
  agentText: string[];
  interrupted: boolean;
  latency: TurnLatency;
  /** Monotonic time of the caller's last voiced frame before the turn ended (our own energy check). */
  lastVoicedAtMs: number | undefined;
  metricsReported: boolean;
  closed: boolean;
}

/** The slice of the pipeline's event emitter the journal listens to. */
export interface PipelineEventSource {
  on<K extends keyof PipelineEvents>(event: K, listener: (payload: PipelineEvents[K]) => void): unknown;
}

export interface TurnJournalOptions {
  readonly callId: string;
  readonly line: string;
  readonly journal: CallJournal;
  readonly metrics: AgentMetrics;
  readonly clock: Clock;
  readonly providers: { readonly stt: string; readonly llm: string; readonly tts: string };
  /** ms the caller's audio waits in our jitter buffer (added to wire-to-wire; 0 when unknown). */
  readonly inboundDelayMs: () => number;
  /** Monotonic time of the caller's last voiced frame heard so far (undefined: none yet). */
  readonly callerLastVoicedAtMs: () => number | undefined;
}

export class TurnJournal {
  readonly #o: TurnJournalOptions;
  readonly #turns = new Map<number, TurnDraft>();
  /** Agent utterance (pipeline id) -> the turn whose reply it starts. */
  readonly #utteranceTurn = new Map<string, number>();
  #current: TurnDraft | undefined;
  /** Completed wire-to-wire figures (for tests and logs). */
  readonly wireToWireMs: number[] = [];

  constructor(options: TurnJournalOptions) {
    this.#o = options;
  }

  attach(events: PipelineEventSource): void {
    events.on("user_turn", (e) => this.#onUserTurn(e.turnId, e.text));
    events.on("agent_text", (e) => {
      if (e.kind === "response" && this.#current !== undefined) this.#current.agentText.push(e.text);
    });
    events.on("agent_audio_started", (e) => {
      if (e.kind === "response" && this.#current !== undefined && this.#current.latency.wireToWireMs === null)
        this.#utteranceTurn.set(e.utteranceId, this.#current.index);
    });
    events.on("turn_metrics", (m) => this.#onMetrics(m));
    events.on("interrupt", (e) => {
      const turn = this.#current;
      if (turn === undefined) return;
      turn.interrupted = true;
      turn.agentText = e.heardText.length > 0 ? [e.heardText] : [];
      this.#write(turn);
    });
  }

  /** The first voiced frame of an agent utterance left on the wire at `atMs` (monotonic). */
  agentVoiced(utteranceId: string, atMs: number): void {
    const index = this.#utteranceTurn.get(utteranceId);
    this.#utteranceTurn.delete(utteranceId);
    if (index === undefined) return;
    const turn = this.#turns.get(index);
    if (turn === undefined || turn.lastVoicedAtMs === undefined || turn.latency.wireToWireMs !== null) return;
    const wire = Math.max(0, Math.round(atMs - turn.lastVoicedAtMs + this.#o.inboundDelayMs()));
    turn.latency.wireToWireMs = wire;
    this.wireToWireMs.push(wire);
    this.#report(turn);
    this.#write(turn);
  }

  /** Writes every open turn one last time (the call ended). */
  close(): void {
    for (const turn of this.#turns.values()) this.#closeTurn(turn);
  }

  #onUserTurn(turnId: number, text: string): void {
    if (this.#current !== undefined) this.#closeTurn(this.#current);
    const turn: TurnDraft = {
      index: turnId - 1,
      startedAtMs: this.#o.clock.epochMs(),
      callerText: text,
      endOfTurnAtMs: this.#o.clock.nowMs(),
      agentText: [],
      interrupted: false,
      latency: {
        endpointingMs: null,
        sttFinalMs: null,
        llmFirstTokenMs: null,
        ttsFirstAudioMs: null,
        wireToWireMs: null,
      },
      lastVoicedAtMs: this.#o.callerLastVoicedAtMs(),
      metricsReported: false,
      closed: false,
    };
    this.#turns.set(turn.index, turn);
    this.#current = turn;
    this.#write(turn);
  }

  #onMetrics(m: TurnMetrics): void {
    const turn = this.#turns.get(m.turnId - 1);
    if (turn === undefined) return;
    const round = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v));
    turn.latency.endpointingMs = round(m.endpointingMs);
    turn.latency.sttFinalMs = round(m.sttFinalMs);
    turn.latency.llmFirstTokenMs = round(m.llmFirstTokenMs);
    turn.latency.ttsFirstAudioMs = round(m.ttsFirstAudioMs);
    if (turn.lastVoicedAtMs === undefined && m.endpointingMs !== undefined)
      turn.lastVoicedAtMs = turn.endOfTurnAtMs - m.endpointingMs;
    const p = this.#o.providers;
    if (m.sttFinalMs !== undefined) this.#o.metrics.providerLatency(p.stt, "stt", m.sttFinalMs);
    if (m.llmFirstTokenMs !== undefined) this.#o.metrics.providerLatency(p.llm, "llm", m.llmFirstTokenMs);
    if (m.ttsFirstAudioMs !== undefined) this.#o.metrics.providerLatency(p.tts, "tts", m.ttsFirstAudioMs);
    if (m.interrupted) turn.interrupted = true;
    this.#write(turn);
  }

  #closeTurn(turn: TurnDraft): void {
    if (turn.closed) return;
    turn.closed = true;
    this.#report(turn);
    this.#write(turn);
    for (const [id, index] of this.#utteranceTurn) if (index === turn.index) this.#utteranceTurn.delete(id);
  }

  #report(turn: TurnDraft): void {
    if (turn.metricsReported) return;
    turn.metricsReported = true;
    this.#o.metrics.turnLatency(this.#o.line, { ...turn.latency });
  }

  #write(turn: TurnDraft): void {
    this.#o.journal.turn({
      callId: this.#o.callId,
      index: turn.index,
      startedAtMs: turn.startedAtMs,
      callerText: turn.callerText,
      agentText: turn.agentText.join(" "),
      interrupted: turn.interrupted,
      latency: turn.latency,
    });
  }
}
