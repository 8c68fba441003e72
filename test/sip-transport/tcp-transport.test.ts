import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import { FakeClock } from "../../src/shared/index.js";
import { type InboundMessage, type SipAddress, TransportLayer } from "../../src/sip/index.js";
import { eventually, sipRequest, sipResponse, waitFor } from "./transport-helpers.js";

function rawConnect(address: SipAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

describe("TCP transport", () => {
  const layers: TransportLayer[] = [];
  const sockets: Socket[] = [];
  const newLayer = (options: ConstructorParameters<typeof TransportLayer>[0] = {}): TransportLayer => {
    const layer = new TransportLayer({ keepAliveIntervalMs: 0, ...options });
    layers.push(layer);
    return layer;
  };
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(layers.map((l) => l.close()));
  });

  test("the response and later requests reuse the connection the request arrived on", async () => {
    const client = newLayer();
    const server = newLayer();
    const serverAddr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const gotRequest = waitFor<[InboundMessage]>(server, "message");
    const sent = await client.send(sipRequest("INVITE", "tcp-1", "v=0\r\n"), serverAddr, { isRequest: true });
    const [request] = await gotRequest;
    assert.equal(request.data.toString(), sipRequest("INVITE", "tcp-1", "v=0\r\n").toString());
    assert.equal(request.source.port, sent.local.port, "source is the client's ephemeral port");

    const gotResponse = waitFor<[InboundMessage]>(client, "message");
    const reply = await server.send(sipResponse("tcp-1"), request.source, { flowId: request.flowId });
    assert.equal(reply.flowId, request.flowId);
    const [response] = await gotResponse;
    assert.equal(response.flowId, sent.flowId, "response arrived on the client's flow");

    // A second request from the client and an in-dialog request from the server: still one connection.
    const again = waitFor<[InboundMessage]>(server, "message");
    await client.send(sipRequest("ACK", "tcp-1"), serverAddr, { isRequest: true });
    assert.equal((await again)[0].flowId, request.flowId);
    const bye = waitFor<[InboundMessage]>(client, "message");
    await server.send(sipRequest("BYE", "tcp-1"), request.source, { isRequest: true });
    assert.equal((await bye)[0].flowId, sent.flowId);
    assert.equal(client.flows().length, 1);
    assert.equal(server.flows().length, 1);
    assert.equal(server.counters("tcp").flowsOpened, 1);
  });

  test("IPv6 (::1): request and response on one connection", async () => {
    const client = newLayer();
    const server = newLayer();
    const serverAddr = await server.listen({ protocol: "tcp", host: "::1", port: 0 });
    assert.equal(serverAddr.host, "::1");
    const gotRequest = waitFor<[InboundMessage]>(server, "message");
    const sent = await client.send(sipRequest("OPTIONS", "v6"), {
      protocol: "tcp",
      host: "[::1]",
      port: serverAddr.port,
    });
    const [request] = await gotRequest;
    assert.equal(request.source.host, "::1");
    const gotResponse = waitFor<[InboundMessage]>(client, "message");
    await server.send(sipResponse("v6"), request.source, { flowId: request.flowId });
    assert.equal((await gotResponse)[0].flowId, sent.flowId);
  });

  test("CRLF ping is answered with a pong; a client flow pings and stays up", async () => {
    const server = newLayer();
    const serverAddr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const raw = await rawConnect(serverAddr);
    sockets.push(raw);
    const pong = new Promise<Buffer>((resolve) => raw.once("data", resolve));
    raw.write("\r\n\r\n");
    assert.equal((await pong).toString(), "\r\n");
    await eventually(() => server.counters("tcp").keepAlivesIn === 1);

    const client = newLayer({ pongTimeoutMs: 500 });
    const flow = await client.connect(serverAddr);
    assert.ok(client.pingFlow(flow.flowId));
    await eventually(() => client.counters("tcp").keepAlivesIn === 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(client.flow(flow.flowId), "pong received, so no keepalive_timeout");
  });

  test("a missing pong fails the flow with keepalive_timeout (RFC 5626 4.4.1)", async () => {
    const clock = new FakeClock();
    const received: Buffer[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on("data", (chunk) => received.push(chunk));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const client = newLayer({
        clock,
        keepAliveIntervalMs: 25_000,
        pongTimeoutMs: 10_000,
        idleTimeoutMs: 0,
      });
      const flow = await client.connect({ protocol: "tcp", host: "127.0.0.1", port });
      const closed = waitFor<[string, string]>(client, "flowClosed");
      clock.advance(25_000);
      await eventually(() => Buffer.concat(received).toString() === "\r\n\r\n");
      assert.ok(client.flow(flow.flowId), "still open while waiting for the pong");
      clock.advance(10_000);
      const [flowId, reason] = await closed;
      assert.equal(flowId, flow.flowId);
      assert.equal(reason, "keepalive_timeout");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("idle connections are closed after the idle timeout", async () => {
    const clock = new FakeClock();
    const server = newLayer({ clock, idleTimeoutMs: 60_000 });
    const serverAddr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const raw = await rawConnect(serverAddr);
    sockets.push(raw);
    await eventually(() => server.flows().length === 1);
    const closed = waitFor<[string, string]>(server, "flowClosed");
    clock.advance(59_999);
    assert.equal(server.flows().length, 1);
    clock.advance(1);
    assert.equal((await closed)[1], "idle_timeout");
  });

  test("garbage and an oversized header close only that flow and are counted", async () => {
    const server = newLayer({ maxMessageBytes: 4_096 });
    const serverAddr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const good = await rawConnect(serverAddr);
    const garbage = await rawConnect(serverAddr);
    const huge = await rawConnect(serverAddr);
    sockets.push(good, garbage, huge);
    await eventually(() => server.flows().length === 3);
    const garbageClosed = new Promise((resolve) => garbage.once("close", resolve));
    const hugeClosed = new Promise((resolve) => huge.once("close", resolve));
    garbage.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    huge.write(`OPTIONS sip:a SIP/2.0\r\nX-Pad: ${"a".repeat(8_000)}`);
    await Promise.all([garbageClosed, hugeClosed]);
    assert.equal(server.counters("tcp").framingErrors, 2);
    assert.ok(server.counters("tcp").dropped > 0);
    const stillWorks = waitFor<[InboundMessage]>(server, "message");
    good.write(sipRequest("OPTIONS", "good"));
    assert.equal((await stillWorks)[0].data.toString(), sipRequest("OPTIONS", "good").toString());
    assert.equal(server.flows().length, 1);
  });

  test("fuzz: random bytes on many connections never escape as exceptions; the listener keeps working", async () => {
    const server = newLayer({ maxMessageBytes: 2_048 });
    const serverAddr = await server.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    const base = Buffer.concat([
      sipRequest("OPTIONS", "fz"),
      Buffer.from("\r\n\r\n"),
      sipRequest("INFO", "fz"),
    ]);
    for (let round = 0; round < 40; round++) {
      const raw = await rawConnect(serverAddr);
      sockets.push(raw);
      const mutated = Buffer.from(base);
      for (let k = 0; k < 4; k++)
        mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      raw.write(Buffer.concat([mutated, randomBytes(round * 40)]));
      raw.end();
    }
    await eventually(() => server.flows().length === 0, 5_000);
    const client = newLayer();
    const got = waitFor<[InboundMessage]>(server, "message", (m) => m.data.includes("after-fuzz"));
    await client.send(sipRequest("OPTIONS", "after-fuzz"), serverAddr, { isRequest: true });
    await got;
    assert.equal(server.counters("tcp").flowsOpened, 41);
  });

  test("connecting to a closed port rejects with a retryable error and is counted", async () => {
    const probe = newLayer();
    const addr = await probe.listen({ protocol: "tcp", host: "127.0.0.1", port: 0 });
    await probe.close();
    const client = newLayer();
    await assert.rejects(
      client.send(sipRequest("OPTIONS", "x"), addr, { isRequest: true }),
      (error: unknown) => {
        assert.ok(error instanceof Error && "retryable" in error && error.retryable === true);
        return true;
      },
    );
    assert.equal(client.counters("tcp").connectFailures, 1);
  });
});
