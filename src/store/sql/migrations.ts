/**
 * Versioned schema migrations, both dialects side by side so they cannot drift apart. Each store
 * keeps `schema_migrations(version, name, applied_at_ms)` and applies, at start-up and in one
 * transaction, every migration whose version it has not recorded (idempotent; PostgreSQL takes an
 * advisory lock first so instances starting together do not race). Never edit a released migration:
 * add the next version.
 *
 * Times are BIGINT epoch ms in both dialects (one mapping, no time-zone conversions).
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: readonly string[];
  postgres: readonly string[];
}

export const migrationsTableSql = {
  sqlite:
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, " +
    "applied_at_ms INTEGER NOT NULL)",
  postgres:
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, " +
    "applied_at_ms BIGINT NOT NULL)",
} as const;

const callsIndexes = [
  "CREATE INDEX calls_started_idx ON calls (started_at_ms DESC, id DESC)",
  "CREATE INDEX calls_line_started_idx ON calls (line, started_at_ms)",
  "CREATE INDEX calls_status_idx ON calls (status, instance)",
  "CREATE INDEX call_events_call_idx ON call_events (call_id, seq)",
  "CREATE INDEX call_messages_call_idx ON call_messages (call_id)",
  "CREATE INDEX call_messages_at_idx ON call_messages (at_ms)",
];

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "calls, turns, events, messages",
    sqlite: [
      `CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        instance TEXT NOT NULL,
        line TEXT NOT NULL,
        agent TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        from_party TEXT NOT NULL,
        to_party TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        answered_at_ms INTEGER,
        ended_at_ms INTEGER,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended', 'interrupted')),
        outcome TEXT,
        end_reason TEXT,
        sip_call_id TEXT,
        rc_telephony_session_id TEXT,
        rc_party_id TEXT,
        recording_path TEXT,
        recording_duration_ms INTEGER
      )`,
      `CREATE TABLE call_turns (
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        turn_index INTEGER NOT NULL,
        started_at_ms INTEGER NOT NULL,
        caller_text TEXT NOT NULL,
        agent_text TEXT NOT NULL,
        interrupted INTEGER NOT NULL,
        endpointing_ms INTEGER,
        stt_final_ms INTEGER,
        llm_first_token_ms INTEGER,
        tts_first_audio_ms INTEGER,
        wire_to_wire_ms INTEGER,
        PRIMARY KEY (call_id, turn_index)
      )`,
      `CREATE TABLE call_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        at_ms INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL
      )`,
      `CREATE TABLE call_messages (
        id TEXT PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        at_ms INTEGER NOT NULL,
        caller_name TEXT,
        caller_number TEXT,
        text TEXT NOT NULL,
        recording_path TEXT
      )`,
      ...callsIndexes,
    ],
    postgres: [
      `CREATE TABLE calls (
        id UUID PRIMARY KEY,
        instance TEXT NOT NULL,
        line TEXT NOT NULL,
        agent TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        from_party TEXT NOT NULL,
        to_party TEXT NOT NULL,
        started_at_ms BIGINT NOT NULL,
        answered_at_ms BIGINT,
        ended_at_ms BIGINT,
        status TEXT NOT NULL CHECK (status IN ('active', 'ended', 'interrupted')),
        outcome TEXT,
        end_reason TEXT,
        sip_call_id TEXT,
        rc_telephony_session_id TEXT,
        rc_party_id TEXT,
        recording_path TEXT,
        recording_duration_ms BIGINT
      )`,
      `CREATE TABLE call_turns (
        call_id UUID NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        turn_index INTEGER NOT NULL,
        started_at_ms BIGINT NOT NULL,
        caller_text TEXT NOT NULL,
        agent_text TEXT NOT NULL,
        interrupted BOOLEAN NOT NULL,
        endpointing_ms INTEGER,
        stt_final_ms INTEGER,
        llm_first_token_ms INTEGER,
        tts_first_audio_ms INTEGER,
        wire_to_wire_ms INTEGER,
        PRIMARY KEY (call_id, turn_index)
      )`,
      `CREATE TABLE call_events (
        seq BIGSERIAL PRIMARY KEY,
        call_id UUID NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        at_ms BIGINT NOT NULL,
        type TEXT NOT NULL,
        data JSONB NOT NULL
      )`,
      `CREATE TABLE call_messages (
        id UUID PRIMARY KEY,
        call_id UUID NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        at_ms BIGINT NOT NULL,
        caller_name TEXT,
        caller_number TEXT,
        text TEXT NOT NULL,
        recording_path TEXT
      )`,
      ...callsIndexes,
    ],
  },
];

/** The highest version in {@link migrations}. */
export const latestSchemaVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);
