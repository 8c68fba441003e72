import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  type FlowInfo,
  type InboundMessage,
  LineConnection,
  type SipAddress,
  TransportLayer,
} from "../../src/sip/index.js";
import { sipRequest, waitFor } from "./transport-helpers.js";

/** A TCP address where nothing listens (bound, then released). */
async function deadAddress(): Promise<SipAddress> {
  const probe = new TransportLayer();
  const addr = await probe.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
  await probe.close();
  return addr;
}

describe("LineConnection: outbound proxy failover and reconnect", () => {
  const layers: TransportLayer[] = [];
  const lines: LineConnection[] = [];
  const newLayer = (options: ConstructorParameters<typeof TransportLayer>[0] = {}): TransportLayer => {
    const layer = new TransportLayer({ keepAliveIntervalMs: 0, connectTimeoutMs: 2_000, ...options });
    layers.push(layer);
    return layer;
  };
  after(async () => {
    for (const line of lines) line.stop();
    await Promise.all(layers.map((l) => l.close()));
  });

  test("fails over to the backup proxy when the primary cannot be reached", async () => {
    const backupServer = newLayer();
    const backup = await backupServer.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const primary = await deadAddress();
    const client = newLayer({ backoff: { baseMs: 50, maxMs: 200 } });
    const line = new LineConnection(client, { primary, backup, switchBackIntervalMs: 60_000 });
    lines.push(line);
    const failures: SipAddress[] = [];
    line.on("attemptFailed", (hop) => failures.push(hop));
    const up = waitFor<[FlowInfo, SipAddress]>(line, "up");
    line.start();
    const [flow, hop] = await up;
    assert.deepEqual(hop, backup);
    assert.deepEqual(failures, [primary]);
    assert.equal(flow.remote.port, backup.port);
    // Requests sent with the line's flow id arrive at the backup.
    const got = waitFor<[InboundMessage]>(backupServer, "message");
    await client.send(sipRequest("REGISTER", "line-1"), hop, { flowId: flow.flowId, isRequest: true });
    assert.equal((await got)[0].source.port, flow.local.port);
  });

  test("reconnects with backoff after the server restarts, and reports down then up", async () => {
    let server = newLayer();
    const addr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const client = newLayer({ backoff: { baseMs: 100, maxMs: 400 } });
    const line = new LineConnection(client, { primary: addr });
    lines.push(line);
    const firstUp = waitFor<[FlowInfo]>(line, "up");
    line.start();
    const [first] = await firstUp;

    const down = waitFor<[string, number]>(line, "down");
    const failed = waitFor(line, "attemptFailed", () => true, 3_000);
    await server.close();
    const [reason, retryInMs] = await down;
    assert.equal(reason, "closed_by_peer");
    assert.ok(retryInMs >= 50 && retryInMs <= 100, `retry in ${retryInMs}`);
    await failed; // the server is still down at the first retry
    assert.equal(line.state, "waiting");

    server = newLayer();
    await server.listen({ protocol: "tcp", host: "127.0.0.1", port: addr.port });
    const [second] = await waitFor<[FlowInfo]>(line, "up", () => true, 3_000);
    assert.notEqual(second.flowId, first.flowId);
    assert.equal(second.remote.port, addr.port);
    assert.equal(line.flow?.flowId, second.flowId);
  });
});
