/**
 * Retention: deletes calls older than `retentionDays` (config `recordings.retentionDays`) from the
 * store, then their recording files. Only files inside `recordingsDir` are ever unlinked, whatever
 * path the store holds. Never throws for a file: it counts what it could not remove.
 */
import { unlink } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { type CallStore, type EpochMs, retentionCutoffMs } from "./call-store.js";

export interface RetentionOptions {
  retentionDays: number;
  nowEpochMs: EpochMs;
  recordingsDir: string;
}

export interface RetentionResult {
  deletedCalls: number;
  deletedFiles: number;
  /** Already gone. */
  missingFiles: number;
  /** Outside the recordings folder (left alone) or failed to unlink. */
  skippedFiles: number;
}

export async function applyRetention(store: CallStore, options: RetentionOptions): Promise<RetentionResult> {
  const purge = await store.purgeOlderThan(retentionCutoffMs(options.nowEpochMs, options.retentionDays));
  const root = resolve(options.recordingsDir);
  const result: RetentionResult = {
    deletedCalls: purge.deletedCalls,
    deletedFiles: 0,
    missingFiles: 0,
    skippedFiles: 0,
  };
  for (const path of new Set(purge.recordingPaths)) {
    const full = resolve(path);
    if (!full.startsWith(root + sep)) {
      result.skippedFiles++;
      continue;
    }
    try {
      await unlink(full);
      result.deletedFiles++;
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") result.missingFiles++;
      else result.skippedFiles++;
    }
  }
  return result;
}
