/**
 * SQL shared by the SQLite and PostgreSQL stores: input checks, the list/search query, the partial
 * update and the paging cursor. Values are always bound parameters; only column names from the
 * fixed maps below and placeholders from the dialect are ever put into SQL text.
 */
import { RingagentError } from "../../shared/index.js";
import {
  type CallPage,
  type CallQuery,
  type CallRecord,
  type CallUpdate,
  defaultCallPageLimit,
  maxCallPageLimit,
  type NewCall,
} from "../call-store.js";

export type SqlValue = string | number | null;

/** What differs between the two SQL dialects in the shared queries. */
export interface SqlDialect {
  /** The placeholder for the parameter at 1-based position `n` (`?` or `$n`). */
  placeholder(n: number): string;
  /** A boolean SQL expression: `haystack` contains `needle`, case-insensitively. */
  containsText(haystack: string, needle: string): string;
}

export const callColumns =
  "id, instance, line, agent, direction, from_party, to_party, started_at_ms, answered_at_ms, ended_at_ms, " +
  "status, outcome, end_reason, sip_call_id, rc_telephony_session_id, rc_party_id, recording_path, " +
  "recording_duration_ms";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** Lower-cases a UUID (both stores keep the canonical lower-case form) or throws `store_invalid`. */
export function requireUuid(value: string, what: string): string {
  const lower = value.toLowerCase();
  if (!isUuid(lower)) throw new RingagentError("store_invalid", `${what} must be a UUID`);
  return lower;
}

export function requireEpochMs(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RingagentError("store_invalid", `${what} must be a non-negative integer of ms`);
  }
  return value;
}

export function optEpochMs(value: number | null | undefined, what: string): number | null {
  return value === null || value === undefined ? null : requireEpochMs(value, what);
}

/** Parameters of INSERT INTO calls (callColumns order). */
export function newCallValues(call: NewCall): SqlValue[] {
  return [
    requireUuid(call.id, "call id"),
    call.instance,
    call.line,
    call.agent,
    call.direction,
    call.from,
    call.to,
    requireEpochMs(call.startedAtMs, "startedAtMs"),
    null,
    null,
    "active",
    null,
    null,
    call.sipCallId ?? null,
    call.rcTelephonySessionId ?? null,
    call.rcPartyId ?? null,
    call.recordingPath ?? null,
    null,
  ];
}

const updateColumns: Record<keyof CallUpdate, string> = {
  answeredAtMs: "answered_at_ms",
  endedAtMs: "ended_at_ms",
  status: "status",
  outcome: "outcome",
  endReason: "end_reason",
  sipCallId: "sip_call_id",
  rcTelephonySessionId: "rc_telephony_session_id",
  rcPartyId: "rc_party_id",
  recordingPath: "recording_path",
  recordingDurationMs: "recording_duration_ms",
};

export interface BuiltSql {
  sql: string;
  params: SqlValue[];
}

/** `UPDATE calls SET ... WHERE id = ?`, or undefined when `update` changes nothing. */
export function buildCallUpdate(dialect: SqlDialect, id: string, update: CallUpdate): BuiltSql | undefined {
  const params: SqlValue[] = [];
  const sets: string[] = [];
  for (const key of Object.keys(updateColumns) as Array<keyof CallUpdate>) {
    if (!(key in update)) continue;
    const value = update[key];
    if (value === undefined) continue;
    if (typeof value === "number") requireEpochMs(value, key);
    params.push(value);
    sets.push(`${updateColumns[key]} = ${dialect.placeholder(params.length)}`);
  }
  if (sets.length === 0) return undefined;
  params.push(id);
  return {
    sql: `UPDATE calls SET ${sets.join(", ")} WHERE id = ${dialect.placeholder(params.length)}`,
    params,
  };
}

interface Cursor {
  startedAtMs: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAtMs, cursor.id]), "utf8").toString("base64url");
}

export function decodeCursor(value: string): Cursor {
  const invalid = new RingagentError("store_invalid", "invalid paging cursor");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid;
  const [startedAtMs, id] = parsed as unknown[];
  if (typeof startedAtMs !== "number" || !Number.isSafeInteger(startedAtMs)) throw invalid;
  if (typeof id !== "string" || !isUuid(id)) throw invalid;
  return { startedAtMs, id };
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return defaultCallPageLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxCallPageLimit) {
    throw new RingagentError("store_invalid", `limit must be an integer 1..${maxCallPageLimit}`);
  }
  return limit;
}

/** The list/search query; it selects `limit + 1` rows so the caller can tell whether more follow. */
export function buildCallList(dialect: SqlDialect, query: CallQuery): BuiltSql & { limit: number } {
  const limit = pageLimit(query.limit);
  const params: SqlValue[] = [];
  const bind = (value: SqlValue): string => {
    params.push(value);
    return dialect.placeholder(params.length);
  };
  const where: string[] = [];
  if (query.line !== undefined) where.push(`c.line = ${bind(query.line)}`);
  if (query.agent !== undefined) where.push(`c.agent = ${bind(query.agent)}`);
  if (query.outcome !== undefined) where.push(`c.outcome = ${bind(query.outcome)}`);
  if (query.status !== undefined) where.push(`c.status = ${bind(query.status)}`);
  if (query.sinceMs !== undefined)
    where.push(`c.started_at_ms >= ${bind(requireEpochMs(query.sinceMs, "sinceMs"))}`);
  if (query.untilMs !== undefined)
    where.push(`c.started_at_ms < ${bind(requireEpochMs(query.untilMs, "untilMs"))}`);
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    where.push(
      `(c.started_at_ms < ${bind(cursor.startedAtMs)} OR ` +
        `(c.started_at_ms = ${bind(cursor.startedAtMs)} AND c.id < ${bind(cursor.id)}))`,
    );
  }
  if (query.text !== undefined && query.text !== "") {
    const needle = query.text.toLowerCase();
    where.push(
      "EXISTS (SELECT 1 FROM call_turns t WHERE t.call_id = c.id AND " +
        `(${dialect.containsText("t.caller_text", bind(needle))} OR ` +
        `${dialect.containsText("t.agent_text", bind(needle))}))`,
    );
  }
  const whereSql = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  const columns = callColumns
    .split(", ")
    .map((column) => `c.${column}`)
    .join(", ");
  return {
    sql: `SELECT ${columns} FROM calls c${whereSql} ORDER BY c.started_at_ms DESC, c.id DESC LIMIT ${bind(limit + 1)}`,
    params,
    limit,
  };
}

/** Cuts the `limit + 1` rows of {@link buildCallList} to a page with the cursor of its last call. */
export function pageOf(calls: CallRecord[], limit: number): CallPage {
  if (calls.length <= limit) return { calls };
  const page = calls.slice(0, limit);
  const last = page[page.length - 1];
  return last === undefined ? { calls: page } : { calls: page, nextCursor: encodeCursor(last) };
}
