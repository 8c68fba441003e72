/**
 * The PostgreSQL call store (pg Pool, `DATABASE_URL`), for N instances sharing one store
 * (design.md "Scale beyond one machine"). Same behaviour as the SQLite store: both run the contract
 * suite in test/store/. Migrations run at open() under an advisory lock, so instances that start
 * together apply them once.
 */
import pg from "pg";
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

export interface PostgresCallStoreOptions {
  /** postgres://user:password@host:port/db (a secret: never logged). */
  url: string;
  /** Pool size (default 5). */
  maxConnections?: number;
  /** Connection timeout (default 5000 ms). */
  connectTimeoutMs?: number;
}

const dialect: SqlDialect = {
  placeholder: (n) => `$${n}`,
  // The needle is lower-cased by the query builder.
  containsText: (haystack, needle) => `strpos(lower(${haystack}), ${needle}) > 0`,
};

/** An arbitrary constant: the advisory lock that serialises migrations across instances. */
const migrationLockKey = 7_254_310_311;

function pgCode(error: unknown): string | undefined {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function mapError(error: unknown, what: string): unknown {
  switch (pgCode(error)) {
    case "23505": // unique_violation
      return new RingagentError("store_conflict", `${what} with this id already exists`, { cause: error });
    case "23503": // foreign_key_violation
      return new RingagentError("store_not_found", "no call with this id", { cause: error });
    default:
      return error;
  }
}

function roundedMs(value: number | null): number | null {
  return value === null ? null : Math.max(0, Math.round(value));
}

export class PostgresCallStore implements CallStore {
  readonly kind = "postgres";
  private readonly pool: pg.Pool;
  private closed = false;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Connects, applies pending migrations, and returns the store; `store_unavailable` if it cannot. */
  static async open(options: PostgresCallStoreOptions): Promise<PostgresCallStore> {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 5,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end();
      if (error instanceof RingagentError) throw error;
      throw new RingagentError("store_unavailable", "cannot open the PostgreSQL call store", {
        cause: error,
        retryable: true,
      });
    }
    return new PostgresCallStore(pool);
  }

  async schemaVersions(): Promise<number[]> {
    const result = await this.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    return result.rows.map((row: { version: unknown }) => Number(row.version));
  }

  async insertCall(call: NewCall): Promise<void> {
    const values = newCallValues(call);
    try {
      await this.pool.query(
        `INSERT INTO calls (${callColumns}) VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")})`,
        values,
      );
    } catch (error) {
      throw mapError(error, "a call");
    }
  }

  async updateCall(id: string, update: CallUpdate): Promise<boolean> {
    const callId = id.toLowerCase();
    if (!isUuid(callId)) return false;
    const built = buildCallUpdate(dialect, callId, update);
    if (built === undefined) {
      return (await this.pool.query("SELECT 1 FROM calls WHERE id = $1", [callId])).rowCount === 1;
    }
    return ((await this.pool.query(built.sql, built.params)).rowCount ?? 0) > 0;
  }

  async appendTurn(turn: TurnRecord): Promise<void> {
    const callId = requireUuid(turn.callId, "turn callId");
    if (!Number.isInteger(turn.index) || turn.index < 0) {
      throw new RingagentError("store_invalid", "turn index must be a non-negative integer");
    }
    const l = turn.latency;
    try {
      await this.pool.query(
        "INSERT INTO call_turns (call_id, turn_index, started_at_ms, caller_text, agent_text, interrupted, " +
          "endpointing_ms, stt_final_ms, llm_first_token_ms, tts_first_audio_ms, wire_to_wire_ms) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) " +
          "ON CONFLICT (call_id, turn_index) DO UPDATE SET started_at_ms = excluded.started_at_ms, " +
          "caller_text = excluded.caller_text, agent_text = excluded.agent_text, " +
          "interrupted = excluded.interrupted, endpointing_ms = excluded.endpointing_ms, " +
          "stt_final_ms = excluded.stt_final_ms, llm_first_token_ms = excluded.llm_first_token_ms, " +
          "tts_first_audio_ms = excluded.tts_first_audio_ms, wire_to_wire_ms = excluded.wire_to_wire_ms",
        [
          callId,
          turn.index,
          requireEpochMs(turn.startedAtMs, "turn startedAtMs"),
          turn.callerText,
          turn.agentText,
          turn.interrupted,
          roundedMs(l.endpointingMs),
          roundedMs(l.sttFinalMs),
          roundedMs(l.llmFirstTokenMs),
          roundedMs(l.ttsFirstAudioMs),
          roundedMs(l.wireToWireMs),
        ],
      );
    } catch (error) {
      throw mapError(error, "a turn");
    }
  }

  async appendEvent(event: NewCallEvent): Promise<void> {
    const callId = requireUuid(event.callId, "event callId");
    try {
      await this.pool.query("INSERT INTO call_events (call_id, at_ms, type, data) VALUES ($1, $2, $3, $4)", [
        callId,
        requireEpochMs(event.atMs, "event atMs"),
        event.type,
        JSON.stringify(event.data),
      ]);
    } catch (error) {
      throw mapError(error, "an event");
    }
  }

  async addMessage(message: MessageRecord): Promise<void> {
    try {
      await this.pool.query(
        "INSERT INTO call_messages (id, call_id, at_ms, caller_name, caller_number, text, recording_path) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
          requireUuid(message.id, "message id"),
          requireUuid(message.callId, "message callId"),
          requireEpochMs(message.atMs, "message atMs"),
          message.callerName,
          message.callerNumber,
          message.text,
          message.recordingPath,
        ],
      );
    } catch (error) {
      throw mapError(error, "a message");
    }
  }

  async markInterrupted(instance: string, atMs: number): Promise<number> {
    const result = await this.pool.query(
      "UPDATE calls SET status = 'interrupted', end_reason = 'process_died', " +
        "ended_at_ms = COALESCE(ended_at_ms, $1) WHERE status = 'active' AND instance = $2",
      [requireEpochMs(atMs, "atMs"), instance],
    );
    return result.rowCount ?? 0;
  }

  async listCalls(query: CallQuery = {}): Promise<CallPage> {
    const built = buildCallList(dialect, query);
    const result = await this.pool.query(built.sql, built.params);
    return pageOf(result.rows.map(callFromRow), built.limit);
  }

  async getCall(id: string): Promise<CallDetail | undefined> {
    const callId = id.toLowerCase();
    if (!isUuid(callId)) return undefined;
    const client = await this.pool.connect();
    try {
      // One snapshot for the call and its children.
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const call = await client.query(`SELECT ${callColumns} FROM calls WHERE id = $1`, [callId]);
      const row: unknown = call.rows[0];
      if (row === undefined) {
        await client.query("COMMIT");
        return undefined;
      }
      const turns = await client.query("SELECT * FROM call_turns WHERE call_id = $1 ORDER BY turn_index", [
        callId,
      ]);
      const events = await client.query("SELECT * FROM call_events WHERE call_id = $1 ORDER BY seq", [
        callId,
      ]);
      const messages = await client.query(
        "SELECT * FROM call_messages WHERE call_id = $1 ORDER BY at_ms, id",
        [callId],
      );
      await client.query("COMMIT");
      return {
        call: callFromRow(row),
        turns: turns.rows.map(turnFromRow),
        events: events.rows.map(eventFromRow),
        messages: messages.rows.map(messageFromRow),
      };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async liveCalls(): Promise<CallRecord[]> {
    const result = await this.pool.query(
      `SELECT ${callColumns} FROM calls WHERE status = 'active' ORDER BY started_at_ms, id`,
    );
    return result.rows.map(callFromRow);
  }

  async listMessages(query: MessageQuery = {}): Promise<MessageRecord[]> {
    const before = optEpochMs(query.beforeMs, "beforeMs");
    const limit = pageLimit(query.limit);
    const result =
      before === null
        ? await this.pool.query("SELECT * FROM call_messages ORDER BY at_ms DESC, id DESC LIMIT $1", [limit])
        : await this.pool.query(
            "SELECT * FROM call_messages WHERE at_ms < $1 ORDER BY at_ms DESC, id DESC LIMIT $2",
            [before, limit],
          );
    return result.rows.map(messageFromRow);
  }

  async purgeOlderThan(cutoffMs: number): Promise<PurgeResult> {
    const cutoff = requireEpochMs(cutoffMs, "cutoffMs");
    const where = "started_at_ms < $1 AND status <> 'active'";
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const messages = await client.query(
        "SELECT recording_path FROM call_messages WHERE recording_path IS NOT NULL AND call_id IN " +
          `(SELECT id FROM calls WHERE ${where})`,
        [cutoff],
      );
      // Turns, events and messages go by ON DELETE CASCADE.
      const deleted = await client.query(`DELETE FROM calls WHERE ${where} RETURNING recording_path`, [
        cutoff,
      ]);
      await client.query("COMMIT");
      const paths = [...deleted.rows, ...messages.rows]
        .map((row: unknown) => optText(row as Record<string, unknown>, "recording_path"))
        .filter((p): p is string => p !== null);
      return { deletedCalls: deleted.rowCount ?? 0, recordingPaths: paths };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new RingagentError("store_unavailable", "the PostgreSQL call store is closed");
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLockKey]);
    await client.query(migrationsTableSql.postgres);
    const applied = new Set(
      (await client.query("SELECT version FROM schema_migrations")).rows.map((row: { version: unknown }) =>
        Number(row.version),
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.postgres) await client.query(statement);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
