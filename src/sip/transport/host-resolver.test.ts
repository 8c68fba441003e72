import assert from "node:assert/strict";
import { isIP } from "node:net";
import { describe, test } from "node:test";
import { RingagentError } from "../../shared/index.js";
import { resolveHost } from "./host-resolver.js";

describe("resolveHost", () => {
  test("IP literals pass through (brackets and IPv4-mapped prefix removed)", async () => {
    assert.equal(await resolveHost("127.0.0.1"), "127.0.0.1");
    assert.equal(await resolveHost("[::1]"), "::1");
    assert.equal(await resolveHost("::ffff:127.0.0.1"), "127.0.0.1");
  });

  test("host names go through dns.lookup", async () => {
    assert.notEqual(isIP(await resolveHost("localhost")), 0);
  });

  test("an unresolvable name is a retryable dns_failed error", async () => {
    await assert.rejects(resolveHost("no-such-host.invalid"), (error: unknown) => {
      assert.ok(error instanceof RingagentError);
      assert.equal(error.code, "dns_failed");
      assert.equal(error.retryable, true);
      return true;
    });
  });
});
