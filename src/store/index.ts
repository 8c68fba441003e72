// Public surface of the store layer (see ARCHITECTURE.md).
export {
  type CallDetail,
  type CallDirection,
  type CallEventRecord,
  type CallEventType,
  type CallOutcome,
  type CallPage,
  type CallQuery,
  type CallRecord,
  type CallStatus,
  type CallStore,
  type CallUpdate,
  callDirections,
  callEventTypes,
  callOutcomes,
  callStatuses,
  defaultCallPageLimit,
  type EpochMs,
  type JsonValue,
  type MessageQuery,
  type MessageRecord,
  maxCallPageLimit,
  type NewCall,
  type NewCallEvent,
  type PurgeResult,
  retentionCutoffMs,
  type TurnLatency,
  type TurnRecord,
} from "./call-store.js";
export { PostgresCallStore, type PostgresCallStoreOptions } from "./postgres/postgres-call-store.js";
export {
  type CallRecordingOptions,
  CallRecordingWriter,
  defaultCallRecordingOptions,
} from "./recording/call-recording-writer.js";
export {
  channelSamples,
  encodeWav,
  parseWav,
  readWavFile,
  type WavAudio,
  type WavFormat,
  writeMonoWavFile,
} from "./recording/wav-format.js";
export { applyRetention, type RetentionOptions, type RetentionResult } from "./retention.js";
export { isUuid } from "./sql/call-queries.js";
export { latestSchemaVersion } from "./sql/migrations.js";
export {
  defaultSqlitePath,
  SqliteCallStore,
  type SqliteCallStoreOptions,
} from "./sqlite/sqlite-call-store.js";
