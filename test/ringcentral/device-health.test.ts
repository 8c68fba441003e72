import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { DeviceHealthMonitor, type DeviceOfflineWhileRegistered } from "../../src/ringcentral/index.js";
import { FakeClock, silentLogger } from "../../src/shared/index.js";
import { cleanup, clientFor, eventually, startEmulator } from "./rc-fixture.js";

after(cleanup);

const deviceId = "800000001002";

describe("registration health from REST device status", () => {
  test("device Offline while we think we are registered -> one loud typed event, then recovery", async () => {
    const emu = await startEmulator();
    const client = clientFor(emu);
    await client.login();
    const monitor = new DeviceHealthMonitor({
      client,
      deviceId,
      clock: new FakeClock(),
      logger: silentLogger(),
      offlinePollsBeforeAlarm: 2,
    });
    const alarms: DeviceOfflineWhileRegistered[] = [];
    let recovered = 0;
    monitor.on("offline-while-registered", (event) => alarms.push(event));
    monitor.on("recovered", () => {
      recovered += 1;
    });

    emu.setDeviceStatus(deviceId, "Offline");
    await monitor.pollOnce(); // not registered yet: Offline is expected
    monitor.setRegistered(true);
    await monitor.pollOnce();
    assert.equal(alarms.length, 0, "one Offline poll is not enough");
    await monitor.pollOnce();
    await monitor.pollOnce();
    assert.equal(alarms.length, 1, "raised once, not on every poll");
    assert.equal(alarms[0]?.kind, "device-offline-while-registered");
    assert.equal(alarms[0]?.deviceId, deviceId);
    assert.equal(alarms[0]?.consecutivePolls, 2);

    emu.setDeviceStatus(deviceId, "Online");
    const sample = await monitor.pollOnce();
    assert.equal(sample?.status, "Online");
    assert.equal(recovered, 1);
  });

  test("polls on the injected clock at the configured interval; a failed poll is counted, not thrown", async () => {
    const emu = await startEmulator();
    const client = clientFor(emu);
    await client.login();
    const clock = new FakeClock();
    const monitor = new DeviceHealthMonitor({
      client,
      deviceId,
      clock,
      logger: silentLogger(),
      pollingIntervalMs: 30_000,
    });
    monitor.start();
    clock.advance(29_999);
    assert.equal(monitor.counters.polls, 0);
    clock.advance(1);
    await eventually(() => monitor.counters.polls === 1 && clock.pendingTimers === 1, 5000, "first poll");
    emu.injectFault({
      pathContains: `/device/${deviceId}`,
      status: 404,
      body: { errors: [{ errorCode: "CMN-102", message: "x" }] },
    });
    clock.advance(30_000);
    await eventually(() => monitor.counters.pollFailures === 1, 5000, "failed poll");
    monitor.stop();
    assert.equal(clock.pendingTimers, 0);
  });
});
