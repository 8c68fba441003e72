import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { newId } from "../../src/shared/index.js";
import { SqliteCallStore } from "../../src/store/index.js";

const dir = mkdtempSync(join(tmpdir(), "ringagent-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("SQLite: rows written before a SIGKILL mid-write survive, and markInterrupted marks the call", async () => {
  const dbPath = join(dir, "crash.sqlite");
  const callId = newId();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, "sqlite-crash-child.ts"), dbPath, callId],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child not writing within 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString("utf8");
        // Kill while the child is in its event-append loop (some events in, more on the way).
        if (output.includes("events 300\n")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", () => {
        clearTimeout(timer);
        reject(new Error(`child exited early:\n${output}`));
      });
    });
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  }
  assert.equal(await exited, "SIGKILL");

  const store = SqliteCallStore.open({ path: dbPath });
  try {
    const detail = await store.getCall(callId);
    assert.ok(detail, "the call row survived");
    assert.equal(detail.call.status, "active");
    assert.equal(detail.turns[0]?.callerText, "hello before the crash");
    assert.ok(detail.events.length >= 301, `events before the kill survived (${detail.events.length})`);
    assert.deepEqual(
      detail.events.slice(0, 3).map((e) => e.data),
      [{ n: 0 }, { n: 1 }, { n: 2 }],
    );
    assert.equal(await store.markInterrupted("crash-host", 1_760_000_100_000), 1);
    const after = await store.getCall(callId);
    assert.equal(after?.call.status, "interrupted");
    assert.equal(after?.call.endReason, "process_died");
    assert.deepEqual(await store.liveCalls(), []);
  } finally {
    await store.close();
  }
});
