/**
 * Persists every call as it happens, whatever agent answers it (design.md "Nothing about a call is
 * lost"): the call row when the call appears (ringing), its answer time, transfer/DTMF/hold events,
 * and its outcome and end reason when it ends; plus the call counters of the metrics recorder.
 * Agents add turns, tool events and messages through the same journal, so every write of one call
 * goes through one ordered queue that starts with `insertCall`. Store failures are logged and never
 * reach the call.
 */
import { type Clock, describeError, type Logger } from "../shared/index.js";
import type {
  CallOutcome,
  CallStore,
  CallUpdate,
  JsonValue,
  MessageRecord,
  NewCallEvent,
  TurnRecord,
} from "../store/index.js";
import type { Call, CallEndReason, CallManager } from "../telephony/index.js";
import type { AgentMetrics } from "./conversation/agent-ports.js";

export interface CallJournalOptions {
  readonly store: CallStore;
  readonly metrics: AgentMetrics;
  /** This process's instance name (the store's owner key). */
  readonly instance: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The agent name configured for a line. */
  readonly agentOfLine: (line: string) => string;
}

interface Entry {
  readonly line: string;
  /** Writes of this call, in order. */
  chain: Promise<void>;
  outcome: CallOutcome | undefined;
  recordingPath: string | undefined;
  recordingDurationMs: number | undefined;
  answered: boolean;
}

/** The store's end reason text for a call end reason. */
export function endReasonText(reason: CallEndReason): string {
  switch (reason.kind) {
    case "rejected":
      return `rejected_${reason.status}`;
    case "error":
      return `error_${reason.code}`;
    default:
      return reason.kind;
  }
}

/** The business outcome when the agent did not set one. */
export function outcomeOf(reason: CallEndReason, answered: boolean): CallOutcome {
  switch (reason.kind) {
    case "transferred":
      return "transferred";
    case "rejected":
      return "rejected";
    case "caller_hung_up":
    case "agent_hung_up":
      return answered ? "completed" : "abandoned";
    case "media_timeout":
    case "session_expired":
    case "error":
      return answered ? "failed" : "abandoned";
  }
}

export class CallJournal {
  readonly #o: CallJournalOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Set<Promise<void>>();

  constructor(options: CallJournalOptions) {
    this.#o = options;
  }

  /** Follows every call the manager creates. */
  attach(manager: CallManager): void {
    manager.on("call", (call) => this.#onCall(call));
    manager.on("callEnded", (call, reason) => this.#onEnded(call, reason));
  }

  /** Calls being journaled now. */
  get activeCalls(): number {
    return this.#entries.size;
  }

  #onCall(call: Call): void {
    const line = call.lineName;
    const entry: Entry = {
      line,
      chain: Promise.resolve(),
      outcome: undefined,
      recordingPath: undefined,
      recordingDurationMs: undefined,
      answered: call.answeredAtMs !== undefined,
    };
    this.#entries.set(call.id, entry);
    const startedAtMs = Math.round(this.#o.clock.epochMs() - (this.#o.clock.nowMs() - call.startedAtMs));
    const remote = call.remoteUser ?? call.signaling.remoteUri;
    const inbound = call.direction === "inbound";
    this.#write(call.id, "insertCall", () =>
      this.#o.store.insertCall({
        id: call.id,
        instance: this.#o.instance,
        line,
        agent: this.#o.agentOfLine(line),
        direction: call.direction,
        from: inbound ? remote : `line:${line}`,
        to: inbound ? `line:${line}` : remote,
        startedAtMs,
        sipCallId: call.signaling.callId,
      }),
    );
    this.#o.metrics.callStarted(line);
    if (entry.answered) this.#write(call.id, "answer", () => this.#answered(call.id));
    call.on("state", (state) => {
      if (state === "active" && !entry.answered) {
        entry.answered = true;
        const atMs = this.#o.clock.epochMs();
        this.#write(call.id, "answer", () => this.#o.store.updateCall(call.id, { answeredAtMs: atMs }));
      }
    });
    call.on("dtmf", (digit) =>
      this.event(call.id, "dtmf", { digit: digit.digit, durationMs: digit.durationMs, via: digit.via }),
    );
    call.on("hold", (party) =>
      this.event(call.id, party === undefined ? "resume" : "hold", party === undefined ? {} : { party }),
    );
    call.on("transfer", (progress) =>
      this.event(call.id, "transfer", { state: progress.state, status: progress.status }),
    );
  }

  async #answered(callId: string): Promise<void> {
    await this.#o.store.updateCall(callId, { answeredAtMs: this.#o.clock.epochMs() });
  }

  #onEnded(call: Call, reason: CallEndReason): void {
    const entry = this.#entries.get(call.id);
    if (entry === undefined) return;
    const outcome = entry.outcome ?? outcomeOf(reason, entry.answered);
    const update: CallUpdate = {
      status: "ended",
      endedAtMs: this.#o.clock.epochMs(),
      outcome,
      endReason: endReasonText(reason),
    };
    this.#o.metrics.callEnded(entry.line, outcome);
    this.#write(call.id, "updateCall", () => this.#o.store.updateCall(call.id, update));
    // The recording is closed by the agent after the call ended; its final size comes later.
    void entry.chain.then(() => this.#entries.delete(call.id));
  }

  /** The business outcome, when the agent knows better than the end reason (message taken...). */
  setOutcome(callId: string, outcome: CallOutcome): void {
    const entry = this.#entries.get(callId);
    if (entry !== undefined) entry.outcome = outcome;
  }

  /** RingCentral's ids for the call, learnt from its telephony-session events. */
  setRingCentralIds(callId: string, telephonySessionId: string, partyId: string): void {
    const update: CallUpdate = { rcTelephonySessionId: telephonySessionId, rcPartyId: partyId };
    this.#write(callId, "ringcentral ids", () => this.#o.store.updateCall(callId, update));
  }

  setRecording(callId: string, path: string, durationMs?: number): void {
    const update: CallUpdate =
      durationMs === undefined
        ? { recordingPath: path }
        : { recordingPath: path, recordingDurationMs: durationMs };
    this.#write(callId, "recording", () => this.#o.store.updateCall(callId, update));
  }

  event(callId: string, type: NewCallEvent["type"], data: JsonValue): void {
    const atMs = this.#o.clock.epochMs();
    this.#write(callId, `event ${type}`, () => this.#o.store.appendEvent({ callId, atMs, type, data }));
  }

  /** Insert or replace a turn (the same index again replaces it). */
  turn(record: TurnRecord): void {
    const copy: TurnRecord = { ...record, latency: { ...record.latency } };
    this.#write(record.callId, "turn", () => this.#o.store.appendTurn(copy));
  }

  message(record: MessageRecord): void {
    this.#write(record.callId, "message", () => this.#o.store.addMessage(record));
  }

  /** Resolves when every write queued so far has been attempted. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #write(callId: string, what: string, operation: () => Promise<unknown>): void {
    const entry = this.#entries.get(callId);
    const run = async (): Promise<void> => {
      try {
        await operation();
      } catch (error) {
        this.#o.logger.warn({ callId, write: what, err: describeError(error) }, "call store write failed");
      }
    };
    const task = entry === undefined ? run() : entry.chain.then(run);
    if (entry !== undefined) entry.chain = task;
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
  }
}
