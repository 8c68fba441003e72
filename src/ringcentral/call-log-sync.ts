import { type Clock, sleep } from "../shared/index.js";
import type { RingCentralRestClient } from "./rest-client.js";

/**
 * After a call: its call-log record by `telephonySessionId` (ringcentral.md 7). Records appear
 * with some latency, so this polls a bounded number of times. The call log is the Heavy group
 * (10/min by default), so keep `attempts` small.
 */
export interface CallLogSummary {
  readonly callLogId: string;
  /** e.g. "Accepted", "Missed", "Voicemail", "Answered Elsewhere". */
  readonly result: string | undefined;
  readonly durationS: number | undefined;
  readonly recording: { readonly id: string; readonly contentUri: string | undefined } | undefined;
}

export interface CallLogSyncOptions {
  readonly clock: Clock;
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly signal?: AbortSignal;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

export function summarizeCallLogRecord(record: unknown): CallLogSummary | undefined {
  const r = asRecord(record);
  if (typeof r.id !== "string") return undefined;
  const recording = asRecord(r.recording);
  return {
    callLogId: r.id,
    result: typeof r.result === "string" ? r.result : undefined,
    durationS: typeof r.duration === "number" ? r.duration : undefined,
    recording:
      typeof recording.id === "string"
        ? {
            id: recording.id,
            contentUri: typeof recording.contentUri === "string" ? recording.contentUri : undefined,
          }
        : undefined,
  };
}

/** The record, or undefined when it has not appeared after all attempts. */
export async function fetchCallLogRecord(
  client: RingCentralRestClient,
  telephonySessionId: string,
  options: CallLogSyncOptions,
): Promise<CallLogSummary | undefined> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const { data } = await client.get("/restapi/v1.0/account/~/extension/~/call-log", {
      telephonySessionId,
      view: "Simple",
      withRecording: false,
    });
    const records = asRecord(data).records;
    const first: unknown = Array.isArray(records) ? records[0] : undefined;
    const summary = summarizeCallLogRecord(first);
    if (summary !== undefined) return summary;
    if (attempt < attempts) await sleep(options.clock, options.delayMs ?? 10_000, options.signal);
  }
  return undefined;
}
