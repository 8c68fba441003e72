import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { backoffDelayMs, NextHopSelector } from "./next-hop.js";
import type { SipAddress } from "./transport-types.js";

const primary: SipAddress = { protocol: "tls", host: "192.0.2.1", port: 5096 };
const backup: SipAddress = { protocol: "tls", host: "192.0.2.2", port: 5096 };

describe("backoff and next hop", () => {
  test("RFC 5626 4.5 backoff: doubling, capped, jitter between 50% and 100%", () => {
    const policy = { baseMs: 1_000, maxMs: 10_000 };
    assert.equal(
      backoffDelayMs(policy, 0, () => 1),
      1_000,
    );
    assert.equal(
      backoffDelayMs(policy, 0, () => 0),
      500,
    );
    assert.equal(
      backoffDelayMs(policy, 3, () => 1),
      8_000,
    );
    assert.equal(
      backoffDelayMs(policy, 4, () => 1),
      10_000,
    );
    assert.equal(
      backoffDelayMs(policy, 1000, () => 0),
      5_000,
    );
  });

  test("fails over to the backup and switches back after the interval", () => {
    const clock = new FakeClock();
    const selector = new NextHopSelector({ primary, backup, switchBackIntervalMs: 60_000 }, clock);
    assert.equal(selector.current(), primary);
    assert.equal(selector.reportFailure(primary), backup);
    assert.equal(selector.onBackup, true);
    clock.advance(59_999);
    assert.equal(selector.current(), backup);
    clock.advance(1);
    assert.equal(selector.current(), primary);
    selector.reportFailure(primary);
    assert.equal(selector.reportFailure(backup), primary, "backup failing sends us back to the primary");
  });

  test("without a backup the primary stays", () => {
    const selector = new NextHopSelector({ primary }, new FakeClock());
    assert.equal(selector.reportFailure(primary), primary);
  });
});
