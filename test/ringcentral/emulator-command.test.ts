import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runEmulatorCommand } from "../../src/emulator/index.js";
import { cleanup, lineFor } from "./rc-fixture.js";

const stops: (() => Promise<void>)[] = [];
after(async () => {
  await cleanup();
  for (const stop of stops) await stop();
});

test("`ringagent emulator`: banner, and a call driven over the control routes reaches a real line", async () => {
  const { emulator, banner } = await runEmulatorCommand({});
  stops.push(() => emulator.stop());
  assert.ok(banner.some((line) => line.includes(emulator.url)));
  assert.ok(banner.some((line) => line.includes("OtherPhone")));
  const line = lineFor(emulator);
  await line.start();
  const call = line.correlator.expectCall("curl-call@example");
  const post = (path: string, body: unknown) =>
    fetch(`${emulator.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const created = await post("/_emulator/calls", {
    sipCallId: "curl-call@example",
    from: "+16505550111",
    to: "+16505550100",
  });
  assert.equal(created.status, 200);
  assert.equal((await post("/_emulator/calls/curl-call@example/answer", {})).status, 204);
  assert.equal((await post("/_emulator/calls/curl-call@example/teleport", {})).status, 400);
  assert.equal((await post("/_emulator/calls", { sipCallId: 1 })).status, 400);
  await call.waitFor("Answered", { timeoutMs: 5000 });
  assert.equal((await post("/_emulator/devices/800000001002/status", { status: "Online" })).status, 204);
  assert.equal(emulator.devices.find((d) => d.id === "800000001002")?.status, "Online");
});
