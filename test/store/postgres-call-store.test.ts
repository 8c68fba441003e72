import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { latestSchemaVersion, PostgresCallStore } from "../../src/store/index.js";
import { postgresAvailable, startTestPostgres, type TestPostgres } from "../bed/postgres.js";
import { callStoreContract, newCall } from "./call-store-contract.js";

describe("PostgresCallStore against a real PostgreSQL", {
  skip: !postgresAvailable() && "PostgreSQL 15 not installed",
}, () => {
  let server: TestPostgres | undefined;
  before(async () => {
    server = await startTestPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  function url(): string {
    assert.ok(server, "test PostgreSQL not started");
    return server.url;
  }

  async function truncate(): Promise<void> {
    const client = new pg.Client({ connectionString: url() });
    await client.connect();
    try {
      await client.query("TRUNCATE calls CASCADE");
    } finally {
      await client.end();
    }
  }

  describe("contract", () => {
    callStoreContract({
      fresh: async () => {
        const store = await PostgresCallStore.open({ url: url() });
        await truncate();
        return store;
      },
    });
  });

  test("concurrent opens apply the migrations once; re-opening keeps data", async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresCallStore.open({ url: url() })));
    for (const store of stores) assert.deepEqual(await store.schemaVersions(), [latestSchemaVersion]);
    const call = newCall();
    await stores[0]?.insertCall(call);
    await Promise.all(stores.map((s) => s.close()));
    const again = await PostgresCallStore.open({ url: url() });
    assert.equal((await again.getCall(call.id))?.call.to, call.to);
    await again.close();
  });

  test("an unreachable server fails with store_unavailable (retryable)", async () => {
    const dead = url().replace(/:\d+\//, ":1/");
    await assert.rejects(PostgresCallStore.open({ url: dead, connectTimeoutMs: 2_000 }), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, "store_unavailable");
      assert.equal((error as { retryable?: unknown }).retryable, true);
      return true;
    });
  });
});
