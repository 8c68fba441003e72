import type { ConversationHistory, ToolCall } from "../history/conversation-history.js";
import { SentenceSplitter } from "../llm/sentence-splitter.js";
import type { AgentSpeech } from "./agent-speech.js";
import type { TurnMetrics } from "./pipeline-options.js";

/** One assistant message of a reply: its index in the history and its text so far. */
export interface ReplyMessage {
  readonly index: number;
  text: string;
  toolCalls: ToolCall[];
}

/**
 * One agent reply to one caller turn: LLM rounds (a round per tool-result continuation), the speech
 * that says it, and the timestamps behind its {@link TurnMetrics}.
 */
export class ResponseState {
  readonly id: number;
  readonly turnId: number;
  readonly abort = new AbortController();
  readonly splitter = new SentenceSplitter();
  readonly messages: ReplyMessage[] = [];
  speech: AgentSpeech | undefined;
  round = 0;
  llmDone = false;
  pendingTools = 0;
  toolCallsThisRound = 0;
  endCall = false;
  fillers = 0;
  metricsEmitted = false;
  #current: ReplyMessage | undefined;
  // Timestamps (clock ms).
  lastVoicedAtMs: number | undefined;
  sttFinalAtMs: number | undefined;
  endOfTurnAtMs: number | undefined;
  llmRequestAtMs: number | undefined;
  llmFirstTokenAtMs: number | undefined;
  firstSentenceAtMs: number | undefined;
  ttsFirstAudioAtMs: number | undefined;
  firstAudioToSinkAtMs: number | undefined;

  readonly #parent: AbortSignal;
  readonly #onParentAbort = (): void => this.abort.abort(this.#parent.reason);

  constructor(id: number, turnId: number, parent: AbortSignal) {
    this.id = id;
    this.turnId = turnId;
    this.#parent = parent;
    if (parent.aborted) this.abort.abort(parent.reason);
    else parent.addEventListener("abort", this.#onParentAbort, { once: true });
  }

  /** The reply is complete: stop listening to the pipeline's signal (no listener per turn leaks). */
  release(): void {
    this.#parent.removeEventListener("abort", this.#onParentAbort);
  }

  beginRound(nowMs: number): void {
    this.round++;
    this.llmDone = false;
    this.toolCallsThisRound = 0;
    this.#current = undefined;
    this.llmRequestAtMs ??= nowMs;
  }

  appendText(history: ConversationHistory, text: string): void {
    const message = this.#message(history);
    message.text += text;
    this.#write(history, message);
  }

  addToolCall(history: ConversationHistory, call: ToolCall): void {
    const message = this.#message(history);
    message.toolCalls.push(call);
    this.toolCallsThisRound++;
    this.pendingTools++;
    this.#write(history, message);
  }

  #message(history: ConversationHistory): ReplyMessage {
    if (this.#current === undefined) {
      const index = history.add({ role: "assistant", content: "" });
      this.#current = { index, text: "", toolCalls: [] };
      this.messages.push(this.#current);
    }
    return this.#current;
  }

  #write(history: ConversationHistory, message: ReplyMessage): void {
    history.replace(message.index, {
      role: "assistant",
      content: message.text,
      ...(message.toolCalls.length > 0 ? { toolCalls: [...message.toolCalls] } : {}),
    });
  }

  metrics(interrupted: boolean): TurnMetrics {
    const diff = (a: number | undefined, b: number | undefined): number | undefined =>
      a === undefined || b === undefined ? undefined : a - b;
    const endOfTurnToFirstAudioMs = diff(this.firstAudioToSinkAtMs, this.endOfTurnAtMs);
    const llmFirstTokenMs = diff(this.llmFirstTokenAtMs, this.llmRequestAtMs);
    const ttsFirstAudioMs = diff(this.ttsFirstAudioAtMs, this.firstSentenceAtMs);
    return {
      turnId: this.turnId,
      endpointingMs: diff(this.endOfTurnAtMs, this.lastVoicedAtMs),
      sttFinalMs: diff(this.sttFinalAtMs, this.lastVoicedAtMs),
      llmFirstTokenMs,
      ttsFirstAudioMs,
      endOfTurnToFirstAudioMs,
      overheadMs:
        endOfTurnToFirstAudioMs === undefined
          ? undefined
          : Math.max(0, endOfTurnToFirstAudioMs - (llmFirstTokenMs ?? 0) - (ttsFirstAudioMs ?? 0)),
      fillers: this.fillers,
      interrupted,
    };
  }
}

/**
 * Barge-in: the reply's assistant messages keep only the words the caller heard (in order across the
 * messages of the reply); tool calls are kept, since those actions happened.
 */
export function trimToHeard(
  history: ConversationHistory,
  messages: readonly ReplyMessage[],
  heardText: string,
): void {
  let remaining = heardText.split(/\s+/).filter((w) => w.length > 0);
  for (const message of messages) {
    const words = message.text.split(/\s+/).filter((w) => w.length > 0);
    const kept = remaining.slice(0, words.length);
    remaining = remaining.slice(kept.length);
    history.replace(message.index, {
      role: "assistant",
      content: words.slice(0, kept.length).join(" "),
      interrupted: true,
      ...(message.toolCalls.length > 0 ? { toolCalls: [...message.toolCalls] } : {}),
    });
  }
}
