/**
 * Maps rows of either SQL driver to store records. SQLite returns integers as numbers and booleans
 * as 0/1; pg returns BIGINT as strings, booleans as booleans and JSONB parsed. A row that does not
 * fit (a column of the wrong type) raises `store_corrupt` instead of leaking a half-typed record.
 */
import { RingagentError } from "../../shared/index.js";
import {
  type CallEventRecord,
  type CallEventType,
  type CallOutcome,
  type CallRecord,
  type CallStatus,
  callDirections,
  callEventTypes,
  callOutcomes,
  callStatuses,
  type JsonValue,
  type MessageRecord,
  type TurnRecord,
} from "../call-store.js";

export type Row = Record<string, unknown>;

function corrupt(column: string): RingagentError {
  return new RingagentError("store_corrupt", `call store row has an invalid ${column} column`);
}

export function asRow(value: unknown): Row {
  if (value === null || typeof value !== "object") throw corrupt("row");
  return value as Row;
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw corrupt(column);
  return value;
}

export function optText(row: Row, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw corrupt(column);
  return value;
}

export function optInt(row: Row, column: string): number | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  throw corrupt(column);
}

export function int(row: Row, column: string): number {
  const value = optInt(row, column);
  if (value === null) throw corrupt(column);
  return value;
}

export function bool(row: Row, column: string): boolean {
  const value = row[column];
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  throw corrupt(column);
}

function oneOf<T extends string>(allowed: readonly T[], row: Row, column: string): T {
  const value = text(row, column);
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw corrupt(column);
  return found;
}

function optOneOf<T extends string>(allowed: readonly T[], row: Row, column: string): T | null {
  return optText(row, column) === null ? null : oneOf(allowed, row, column);
}

export function json(row: Row, column: string): JsonValue {
  const value = row[column];
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as JsonValue;
    } catch {
      throw corrupt(column);
    }
  }
  // pg parses JSONB itself.
  return value as JsonValue;
}

export function callFromRow(value: unknown): CallRecord {
  const row = asRow(value);
  return {
    id: text(row, "id"),
    instance: text(row, "instance"),
    line: text(row, "line"),
    agent: text(row, "agent"),
    direction: oneOf(callDirections, row, "direction"),
    from: text(row, "from_party"),
    to: text(row, "to_party"),
    startedAtMs: int(row, "started_at_ms"),
    answeredAtMs: optInt(row, "answered_at_ms"),
    endedAtMs: optInt(row, "ended_at_ms"),
    status: oneOf<CallStatus>(callStatuses, row, "status"),
    outcome: optOneOf<CallOutcome>(callOutcomes, row, "outcome"),
    endReason: optText(row, "end_reason"),
    sipCallId: optText(row, "sip_call_id"),
    rcTelephonySessionId: optText(row, "rc_telephony_session_id"),
    rcPartyId: optText(row, "rc_party_id"),
    recordingPath: optText(row, "recording_path"),
    recordingDurationMs: optInt(row, "recording_duration_ms"),
  };
}

export function turnFromRow(value: unknown): TurnRecord {
  const row = asRow(value);
  return {
    callId: text(row, "call_id"),
    index: int(row, "turn_index"),
    startedAtMs: int(row, "started_at_ms"),
    callerText: text(row, "caller_text"),
    agentText: text(row, "agent_text"),
    interrupted: bool(row, "interrupted"),
    latency: {
      endpointingMs: optInt(row, "endpointing_ms"),
      sttFinalMs: optInt(row, "stt_final_ms"),
      llmFirstTokenMs: optInt(row, "llm_first_token_ms"),
      ttsFirstAudioMs: optInt(row, "tts_first_audio_ms"),
      wireToWireMs: optInt(row, "wire_to_wire_ms"),
    },
  };
}

export function eventFromRow(value: unknown): CallEventRecord {
  const row = asRow(value);
  return {
    seq: int(row, "seq"),
    callId: text(row, "call_id"),
    atMs: int(row, "at_ms"),
    type: oneOf<CallEventType>(callEventTypes, row, "type"),
    data: json(row, "data"),
  };
}

export function messageFromRow(value: unknown): MessageRecord {
  const row = asRow(value);
  return {
    id: text(row, "id"),
    callId: text(row, "call_id"),
    atMs: int(row, "at_ms"),
    callerName: optText(row, "caller_name"),
    callerNumber: optText(row, "caller_number"),
    text: text(row, "text"),
    recordingPath: optText(row, "recording_path"),
  };
}
