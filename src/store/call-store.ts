/**
 * The call store port: everything about a call is persisted as it happens (design.md "Nothing about
 * a call is lost"). The agent calls `insertCall` when a call starts, `appendTurn`/`appendEvent`/
 * `addMessage` while it runs and `updateCall` when it ends; a process that dies mid-call leaves its
 * calls `active`, and the next start of the same instance runs `markInterrupted`.
 *
 * Implementations: `SqliteCallStore` (one process, a file under ./data/) and `PostgresCallStore`
 * (shared by N instances). Both pass the same contract suite (test/store/call-store-contract.ts).
 *
 * PII: `from`, `to`, turn texts, DTMF digits in event data and message texts are stored here and
 * served by the admin API, but never logged (store code logs nothing about rows at all).
 */

/** Times are Unix epoch milliseconds (`Clock.epochMs()`), so instances can share one store. */
export type EpochMs = number;

export const callDirections = ["inbound", "outbound"] as const;
export type CallDirection = (typeof callDirections)[number];

/** `interrupted`: the process that owned the call died before it ended. */
export const callStatuses = ["active", "ended", "interrupted"] as const;
export type CallStatus = (typeof callStatuses)[number];

/** How a call ended, from the business point of view (the SIP-level cause is `endReason`). */
export const callOutcomes = [
  "completed",
  "transferred",
  "message_taken",
  "abandoned",
  "rejected",
  "failed",
] as const;
export type CallOutcome = (typeof callOutcomes)[number];

export const callEventTypes = [
  "transfer",
  "dtmf",
  "hold",
  "resume",
  "tool",
  "barge_in",
  "state",
  "error",
] as const;
export type CallEventType = (typeof callEventTypes)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CallRecord {
  /** UUID (`newId()`). */
  id: string;
  /** The instance that owns the call (stable across restarts of that instance, e.g. the host name). */
  instance: string;
  line: string;
  agent: string;
  direction: CallDirection;
  /** Caller and callee (PII): numbers or SIP URIs as received. */
  from: string;
  to: string;
  startedAtMs: EpochMs;
  answeredAtMs: EpochMs | null;
  endedAtMs: EpochMs | null;
  status: CallStatus;
  outcome: CallOutcome | null;
  /** Free-form cause, e.g. `caller_bye`, `agent_hangup`, `media_timeout`, `process_died`. */
  endReason: string | null;
  sipCallId: string | null;
  rcTelephonySessionId: string | null;
  rcPartyId: string | null;
  recordingPath: string | null;
  recordingDurationMs: number | null;
}

export type NewCall = Pick<CallRecord, "id" | "instance" | "line" | "agent" | "direction" | "from" | "to"> & {
  startedAtMs: EpochMs;
} & Partial<Pick<CallRecord, "sipCallId" | "rcTelephonySessionId" | "rcPartyId" | "recordingPath">>;

/** Fields `updateCall` may change; omitted fields keep their value. */
export type CallUpdate = Partial<
  Pick<
    CallRecord,
    | "answeredAtMs"
    | "endedAtMs"
    | "status"
    | "outcome"
    | "endReason"
    | "sipCallId"
    | "rcTelephonySessionId"
    | "rcPartyId"
    | "recordingPath"
    | "recordingDurationMs"
  >
>;

/** Per-turn latency breakdown in ms; null when that part did not happen or was not measured. */
export interface TurnLatency {
  endpointingMs: number | null;
  sttFinalMs: number | null;
  llmFirstTokenMs: number | null;
  ttsFirstAudioMs: number | null;
  /** Caller's last voiced packet to the agent's first voiced packet, at the wire. */
  wireToWireMs: number | null;
}

export interface TurnRecord {
  callId: string;
  /** 0-based; writing the same index again replaces the turn (first when the caller's text is final,
   * again when the reply has been heard). */
  index: number;
  startedAtMs: EpochMs;
  callerText: string;
  /** What the caller actually heard (trimmed to the playout position on barge-in). */
  agentText: string;
  interrupted: boolean;
  latency: TurnLatency;
}

export interface NewCallEvent {
  callId: string;
  atMs: EpochMs;
  type: CallEventType;
  data: JsonValue;
}

export interface CallEventRecord extends NewCallEvent {
  /** Increases with insertion order within a store. */
  seq: number;
}

export interface MessageRecord {
  /** UUID. */
  id: string;
  callId: string;
  atMs: EpochMs;
  callerName: string | null;
  callerNumber: string | null;
  text: string;
  recordingPath: string | null;
}

export interface CallQuery {
  line?: string;
  agent?: string;
  outcome?: CallOutcome;
  status?: CallStatus;
  /** startedAtMs >= sinceMs */
  sinceMs?: EpochMs;
  /** startedAtMs < untilMs */
  untilMs?: EpochMs;
  /** Case-insensitive substring of any turn's caller or agent text. */
  text?: string;
  /** 1..500, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface CallPage {
  /** Newest first. */
  calls: CallRecord[];
  /** Present when more calls match. */
  nextCursor?: string;
}

export interface CallDetail {
  call: CallRecord;
  turns: TurnRecord[];
  events: CallEventRecord[];
  messages: MessageRecord[];
}

export interface MessageQuery {
  limit?: number;
  /** Messages with atMs < beforeMs. */
  beforeMs?: EpochMs;
}

export interface PurgeResult {
  deletedCalls: number;
  /** Recording files of the deleted calls and their messages, for the caller to unlink. */
  recordingPaths: string[];
}

export interface CallStore {
  readonly kind: "sqlite" | "postgres";
  /** Throws `RingagentError("store_conflict")` if the id exists, `store_invalid` for a non-UUID id. */
  insertCall(call: NewCall): Promise<void>;
  /** Returns false when no call has this id. */
  updateCall(id: string, update: CallUpdate): Promise<boolean>;
  /** Insert or replace turn (callId, index). Throws `store_not_found` for an unknown call. */
  appendTurn(turn: TurnRecord): Promise<void>;
  appendEvent(event: NewCallEvent): Promise<void>;
  addMessage(message: MessageRecord): Promise<void>;
  /**
   * Marks this instance's calls still `active` as `interrupted` (end reason `process_died`, ended
   * at `atMs`). Run once at start-up, before taking calls. Returns how many were marked.
   */
  markInterrupted(instance: string, atMs: EpochMs): Promise<number>;
  listCalls(query?: CallQuery): Promise<CallPage>;
  getCall(id: string): Promise<CallDetail | undefined>;
  /** Calls with status `active` (all instances), oldest first. */
  liveCalls(): Promise<CallRecord[]>;
  listMessages(query?: MessageQuery): Promise<MessageRecord[]>;
  /** Deletes calls (not active) started before `cutoffMs` with their turns, events and messages. */
  purgeOlderThan(cutoffMs: EpochMs): Promise<PurgeResult>;
  /** Resolves when the store answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const dayMs = 86_400_000;

/** The retention cutoff for `purgeOlderThan`: `days` days before `nowEpochMs`. */
export function retentionCutoffMs(nowEpochMs: EpochMs, days: number): EpochMs {
  return nowEpochMs - days * dayMs;
}

export const defaultCallPageLimit = 50;
export const maxCallPageLimit = 500;
