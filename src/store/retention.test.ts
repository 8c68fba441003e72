import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { newId } from "../shared/index.js";
import { applyRetention } from "./retention.js";
import { SqliteCallStore } from "./sqlite/sqlite-call-store.js";

const dir = mkdtempSync(join(tmpdir(), "ringagent-retention-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const dayMs = 86_400_000;

test("applyRetention deletes old calls and their files inside the recordings folder only", async () => {
  const recordingsDir = join(dir, "recordings");
  mkdirSync(recordingsDir);
  const store = SqliteCallStore.open({ path: ":memory:" });
  const now = 1_760_000_000_000;
  const files = {
    old: join(recordingsDir, "old.wav"),
    gone: join(recordingsDir, "gone.wav"),
    outside: join(dir, "outside.wav"),
    fresh: join(recordingsDir, "fresh.wav"),
  };
  for (const path of [files.old, files.outside, files.fresh]) writeFileSync(path, "RIFF");
  const add = async (startedAtMs: number, recordingPath: string): Promise<void> => {
    const id = newId();
    await store.insertCall({
      id,
      instance: "a",
      line: "main",
      agent: "x",
      direction: "inbound",
      from: "1",
      to: "2",
      startedAtMs,
    });
    await store.updateCall(id, { status: "ended", recordingPath });
  };
  await add(now - 31 * dayMs, files.old);
  await add(now - 40 * dayMs, files.gone);
  await add(now - 35 * dayMs, files.outside);
  await add(now - 29 * dayMs, files.fresh);
  const result = await applyRetention(store, { retentionDays: 30, nowEpochMs: now, recordingsDir });
  assert.deepEqual(result, { deletedCalls: 3, deletedFiles: 1, missingFiles: 1, skippedFiles: 1 });
  assert.equal(existsSync(files.old), false);
  assert.equal(existsSync(files.outside), true);
  assert.equal(existsSync(files.fresh), true);
  assert.equal((await store.listCalls()).calls.length, 1);
  await store.close();
});
