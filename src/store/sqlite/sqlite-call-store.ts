/**
 * The SQLite call store (better-sqlite3): one file, WAL journal, every write its own transaction,
 * so rows written before a crash (even SIGKILL) are there on the next open. `synchronous=NORMAL`
 * with WAL survives a process crash; only an OS crash or power loss may lose the last commits.
 *
 * better-sqlite3 is synchronous; call-store writes are small (one row) so they are done inline.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { RingagentError } from "../../shared/index.js";
import type {
  CallDetail,
  CallPage,
  CallQuery,
  CallRecord,
  CallStore,
  CallUpdate,
  MessageQuery,
  MessageRecord,
  NewCall,
  NewCallEvent,
  PurgeResult,
  TurnRecord,
} from "../call-store.js";
import {
  buildCallList,
  buildCallUpdate,
  callColumns,
  isUuid,
  newCallValues,
  optEpochMs,
  pageLimit,
  pageOf,
  requireEpochMs,
  requireUuid,
  type SqlDialect,
} from "../sql/call-queries.js";
import { migrations, migrationsTableSql } from "../sql/migrations.js";
import { callFromRow, eventFromRow, messageFromRow, optText, turnFromRow } from "../sql/row-mapping.js";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-driver.js";

export interface SqliteCallStoreOptions {
  /** Database file; its folder is created. Default `./data/ringagent.db`. `:memory:` for tests. */
  path?: string;
}

export const defaultSqlitePath = "./data/ringagent.db";

const dialect: SqlDialect = {
  placeholder: () => "?",
  // A JS function, so case folding is Unicode-aware (SQLite's LIKE folds ASCII only).
  containsText: (haystack, needle) => `ringagent_contains(${haystack}, ${needle})`,
};

// Two declared parameters: better-sqlite3 takes the SQL function's arity from `fn.length`.
function containsFolded(haystack: unknown, needle: unknown): number {
  if (typeof haystack !== "string" || typeof needle !== "string") return 0;
  return haystack.toLowerCase().includes(needle) ? 1 : 0;
}

function isConstraintError(error: unknown, code: string): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}

function roundedMs(value: number | null): number | null {
  return value === null ? null : Math.max(0, Math.round(value));
}

export class SqliteCallStore implements CallStore {
  readonly kind = "sqlite";
  private readonly db: SqliteDatabase;

  private constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Opens (creating if needed) the database and applies pending migrations. */
  static open(options: SqliteCallStoreOptions = {}): SqliteCallStore {
    const path = options.path ?? defaultSqlitePath;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    let db: SqliteDatabase;
    try {
      db = openSqliteDatabase(path);
    } catch (error) {
      throw new RingagentError("store_unavailable", "cannot open the SQLite call store", { cause: error });
    }
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      db.function("ringagent_contains", { deterministic: true }, containsFolded);
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteCallStore(db);
  }

  /** Applied migration versions, ascending (for tests and `doctor`). */
  schemaVersions(): number[] {
    return this.db
      .prepare("SELECT version FROM schema_migrations ORDER BY version")
      .all()
      .map((row) => Number((row as { version: unknown }).version));
  }

  async insertCall(call: NewCall): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO calls (${callColumns}) VALUES (${newCallValues(call)
            .map(() => "?")
            .join(", ")})`,
        )
        .run(...newCallValues(call));
    } catch (error) {
      if (isConstraintError(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) {
        throw new RingagentError("store_conflict", "a call with this id already exists", { cause: error });
      }
      throw error;
    }
  }

  async updateCall(id: string, update: CallUpdate): Promise<boolean> {
    if (!isUuid(id.toLowerCase())) return false;
    const built = buildCallUpdate(dialect, id.toLowerCase(), update);
    if (built === undefined) {
      return this.db.prepare("SELECT 1 AS one FROM calls WHERE id = ?").get(id.toLowerCase()) !== undefined;
    }
    return this.db.prepare(built.sql).run(...built.params).changes > 0;
  }

  async appendTurn(turn: TurnRecord): Promise<void> {
    const callId = requireUuid(turn.callId, "turn callId");
    if (!Number.isInteger(turn.index) || turn.index < 0) {
      throw new RingagentError("store_invalid", "turn index must be a non-negative integer");
    }
    const l = turn.latency;
    try {
      this.db
        .prepare(
          "INSERT INTO call_turns (call_id, turn_index, started_at_ms, caller_text, agent_text, interrupted, " +
            "endpointing_ms, stt_final_ms, llm_first_token_ms, tts_first_audio_ms, wire_to_wire_ms) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
            "ON CONFLICT (call_id, turn_index) DO UPDATE SET started_at_ms = excluded.started_at_ms, " +
            "caller_text = excluded.caller_text, agent_text = excluded.agent_text, " +
            "interrupted = excluded.interrupted, endpointing_ms = excluded.endpointing_ms, " +
            "stt_final_ms = excluded.stt_final_ms, llm_first_token_ms = excluded.llm_first_token_ms, " +
            "tts_first_audio_ms = excluded.tts_first_audio_ms, wire_to_wire_ms = excluded.wire_to_wire_ms",
        )
        .run(
          callId,
          turn.index,
          requireEpochMs(turn.startedAtMs, "turn startedAtMs"),
          turn.callerText,
          turn.agentText,
          turn.interrupted ? 1 : 0,
          roundedMs(l.endpointingMs),
          roundedMs(l.sttFinalMs),
          roundedMs(l.llmFirstTokenMs),
          roundedMs(l.ttsFirstAudioMs),
          roundedMs(l.wireToWireMs),
        );
    } catch (error) {
      throw this.mapForeignKey(error);
    }
  }

  async appendEvent(event: NewCallEvent): Promise<void> {
    const callId = requireUuid(event.callId, "event callId");
    try {
      this.db
        .prepare("INSERT INTO call_events (call_id, at_ms, type, data) VALUES (?, ?, ?, ?)")
        .run(callId, requireEpochMs(event.atMs, "event atMs"), event.type, JSON.stringify(event.data));
    } catch (error) {
      throw this.mapForeignKey(error);
    }
  }

  async addMessage(message: MessageRecord): Promise<void> {
    try {
      this.db
        .prepare(
          "INSERT INTO call_messages (id, call_id, at_ms, caller_name, caller_number, text, recording_path) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(
          requireUuid(message.id, "message id"),
          requireUuid(message.callId, "message callId"),
          requireEpochMs(message.atMs, "message atMs"),
          message.callerName,
          message.callerNumber,
          message.text,
          message.recordingPath,
        );
    } catch (error) {
      if (isConstraintError(error, "SQLITE_CONSTRAINT_PRIMARYKEY")) {
        throw new RingagentError("store_conflict", "a message with this id already exists", { cause: error });
      }
      throw this.mapForeignKey(error);
    }
  }

  async markInterrupted(instance: string, atMs: number): Promise<number> {
    return this.db
      .prepare(
        "UPDATE calls SET status = 'interrupted', end_reason = 'process_died', " +
          "ended_at_ms = COALESCE(ended_at_ms, ?) WHERE status = 'active' AND instance = ?",
      )
      .run(requireEpochMs(atMs, "atMs"), instance).changes;
  }

  async listCalls(query: CallQuery = {}): Promise<CallPage> {
    const built = buildCallList(dialect, query);
    const calls = this.db
      .prepare(built.sql)
      .all(...built.params)
      .map(callFromRow);
    return pageOf(calls, built.limit);
  }

  async getCall(id: string): Promise<CallDetail | undefined> {
    const callId = id.toLowerCase();
    if (!isUuid(callId)) return undefined;
    const read = this.db.transaction((): CallDetail | undefined => {
      const row = this.db.prepare(`SELECT ${callColumns} FROM calls WHERE id = ?`).get(callId);
      if (row === undefined) return undefined;
      return {
        call: callFromRow(row),
        turns: this.db
          .prepare("SELECT * FROM call_turns WHERE call_id = ? ORDER BY turn_index")
          .all(callId)
          .map(turnFromRow),
        events: this.db
          .prepare("SELECT * FROM call_events WHERE call_id = ? ORDER BY seq")
          .all(callId)
          .map(eventFromRow),
        messages: this.db
          .prepare("SELECT * FROM call_messages WHERE call_id = ? ORDER BY at_ms, id")
          .all(callId)
          .map(messageFromRow),
      };
    });
    return read();
  }

  async liveCalls(): Promise<CallRecord[]> {
    return this.db
      .prepare(`SELECT ${callColumns} FROM calls WHERE status = 'active' ORDER BY started_at_ms, id`)
      .all()
      .map(callFromRow);
  }

  async listMessages(query: MessageQuery = {}): Promise<MessageRecord[]> {
    const before = optEpochMs(query.beforeMs, "beforeMs");
    const limit = pageLimit(query.limit);
    const sql =
      before === null
        ? "SELECT * FROM call_messages ORDER BY at_ms DESC, id DESC LIMIT ?"
        : "SELECT * FROM call_messages WHERE at_ms < ? ORDER BY at_ms DESC, id DESC LIMIT ?";
    const params = before === null ? [limit] : [before, limit];
    return this.db
      .prepare(sql)
      .all(...params)
      .map(messageFromRow);
  }

  async purgeOlderThan(cutoffMs: number): Promise<PurgeResult> {
    const cutoff = requireEpochMs(cutoffMs, "cutoffMs");
    const purge = this.db.transaction((): PurgeResult => {
      const where = "started_at_ms < ? AND status <> 'active'";
      const paths = [
        ...this.db
          .prepare(`SELECT recording_path FROM calls WHERE ${where} AND recording_path IS NOT NULL`)
          .all(cutoff),
        ...this.db
          .prepare(
            "SELECT recording_path FROM call_messages WHERE recording_path IS NOT NULL AND call_id IN " +
              `(SELECT id FROM calls WHERE ${where})`,
          )
          .all(cutoff),
      ].map((row) => optText(row as Record<string, unknown>, "recording_path"));
      const deletedCalls = this.db.prepare(`DELETE FROM calls WHERE ${where}`).run(cutoff).changes;
      return { deletedCalls, recordingPaths: paths.filter((p): p is string => p !== null) };
    });
    return purge();
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new RingagentError("store_unavailable", "the SQLite call store is closed");
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private mapForeignKey(error: unknown): unknown {
    if (isConstraintError(error, "SQLITE_CONSTRAINT_FOREIGNKEY")) {
      return new RingagentError("store_not_found", "no call with this id", { cause: error });
    }
    return error;
  }
}

function migrate(db: SqliteDatabase): void {
  db.exec(migrationsTableSql.sqlite);
  const apply = db.transaction(() => {
    const applied = new Set(
      db
        .prepare("SELECT version FROM schema_migrations")
        .all()
        .map((row) => Number((row as { version: unknown }).version)),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.sqlite) db.exec(statement);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }
  });
  apply();
}
