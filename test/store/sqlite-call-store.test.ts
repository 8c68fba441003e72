import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { latestSchemaVersion, SqliteCallStore } from "../../src/store/index.js";
import { callStoreContract, newCall } from "./call-store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "ringagent-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe("SqliteCallStore (contract)", () => {
  callStoreContract({ fresh: async () => SqliteCallStore.open({ path: join(dir, `db-${n++}.sqlite`) }) });
});

describe("SqliteCallStore", () => {
  test("migrations are recorded once and re-opening is idempotent; data survives a reopen", async () => {
    const path = join(dir, "nested", "folder", "reopen.sqlite");
    const first = SqliteCallStore.open({ path });
    assert.deepEqual(first.schemaVersions(), [latestSchemaVersion]);
    const call = newCall();
    await first.insertCall(call);
    await first.close();
    const second = SqliteCallStore.open({ path });
    assert.deepEqual(second.schemaVersions(), [latestSchemaVersion]);
    assert.equal((await second.getCall(call.id))?.call.from, call.from);
    await second.close();
  });

  test("an unopenable path fails with store_unavailable", () => {
    assert.throws(
      () => SqliteCallStore.open({ path: join(dir, "missing-dir-file", "\0bad") }),
      (error: unknown) =>
        error instanceof Error && (error as { code?: unknown }).code === "store_unavailable",
    );
  });
});
