import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { type InboundMessage, TransportLayer, WsTestServer } from "../../src/sip/index.js";
import { encodeWsFrame, WsOpcode } from "../../src/sip/transport/ws-frame.js";
import {
  buildUpgradeResponse,
  checkUpgradeRequest,
  takeHttpHead,
} from "../../src/sip/transport/ws-handshake.js";
import {
  eventually,
  makeTestCerts,
  sipRequest,
  sipResponse,
  type TestCerts,
  waitFor,
} from "./transport-helpers.js";

describe("WebSocket transport (RFC 7118)", () => {
  let certs: TestCerts;
  const layers: TransportLayer[] = [];
  const servers: WsTestServer[] = [];
  const newLayer = (options: ConstructorParameters<typeof TransportLayer>[0] = {}): TransportLayer => {
    const layer = new TransportLayer({ keepAliveIntervalMs: 0, connectTimeoutMs: 3_000, ...options });
    layers.push(layer);
    return layer;
  };
  const newServer = async (options: Parameters<typeof WsTestServer.start>[0] = {}): Promise<WsTestServer> => {
    const server = await WsTestServer.start(options);
    servers.push(server);
    return server;
  };
  before(() => {
    certs = makeTestCerts();
  });
  after(async () => {
    await Promise.all(layers.map((l) => l.close()));
    await Promise.all(servers.map((s) => s.close()));
    certs.cleanup();
  });

  test("ws: messages both ways, one SIP message per WebSocket message, large ones included", async () => {
    const server = await newServer();
    const client = newLayer({ wsPath: "/sip" });
    const got = waitFor<[InboundMessage]>(server, "message");
    const request = sipRequest("REGISTER", "ws-1");
    const sent = await client.send(request, server.address, { isRequest: true });
    const [inbound] = await got;
    assert.deepEqual(inbound.data, request);
    assert.deepEqual(server.upgradePaths, ["/sip"]);

    const gotReply = waitFor<[InboundMessage]>(client, "message");
    await server.send(inbound.flowId, sipResponse("ws-1"));
    const [reply] = await gotReply;
    assert.equal(reply.flowId, sent.flowId);
    assert.equal(reply.source.protocol, "ws");

    // 70 KB would exceed one frame's 16-bit length: exercises the 64-bit length path and reuse.
    const big = sipRequest("MESSAGE", "ws-big", "b".repeat(60_000));
    const gotBig = waitFor<[InboundMessage]>(server, "message");
    const again = await client.send(big, server.address, { isRequest: true });
    assert.equal(again.flowId, sent.flowId);
    assert.equal((await gotBig)[0].data.length, big.length);
    assert.equal(server.flows.size, 1);
  });

  test("wss with certificate checking; self-signed rejected by default, accepted with the opt-out", async () => {
    const trusted = await newServer({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    const client = newLayer({ tls: { ca: certs.caPem } });
    const got = waitFor<[InboundMessage]>(trusted, "message");
    await client.send(sipRequest("OPTIONS", "wss-1"), trusted.address, { isRequest: true });
    assert.equal((await got)[0].source.protocol, "wss");

    const selfSigned = await newServer({ tls: { key: certs.selfSignedKey, cert: certs.selfSignedCert } });
    await assert.rejects(newLayer().connect(selfSigned.address));
    const flow = await newLayer({ tls: { rejectUnauthorized: false } }).connect(selfSigned.address);
    assert.equal(flow.protocol, "wss");
  });

  test("a server that does not select the sip subprotocol is refused", async () => {
    const server = await newServer({ omitSubprotocol: true });
    await assert.rejects(newLayer().connect(server.address), (error: unknown) => {
      assert.ok(error instanceof Error && "code" in error && error.code === "ws_handshake_failed");
      return true;
    });
  });

  test("WebSocket ping is answered; a server close is reported as flowClosed", async () => {
    const server = await newServer();
    const client = newLayer();
    const flow = await client.connect(server.address);
    assert.ok(client.pingFlow(flow.flowId));
    await eventually(() => client.counters("ws").keepAlivesIn === 1);
    const closed = waitFor<[string, string]>(client, "flowClosed");
    server.dropAll();
    const [flowId, reason] = await closed;
    assert.equal(flowId, flow.flowId);
    assert.equal(reason, "closed_by_peer");
  });
  test("a malformed frame from the server closes only that flow and is counted", async () => {
    const accepted: Socket[] = [];
    const evil = createServer((socket) => {
      accepted.push(socket);
      let buffered = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const taken = takeHttpHead(buffered);
        if (typeof taken !== "object") return;
        const key = checkUpgradeRequest(taken.head);
        if (key === undefined) return;
        socket.write(buildUpgradeResponse(key));
        // RFC 6455 5.1: a server MUST NOT mask frames; the client must fail the connection.
        socket.write(encodeWsFrame(WsOpcode.text, sipResponse("evil"), { mask: true }));
      });
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      const port = (evil.address() as AddressInfo).port;
      const good = await newServer();
      const client = newLayer();
      const goodFlow = await client.connect(good.address);
      const closed = waitFor<[string, string]>(client, "flowClosed");
      const evilFlow = await client.connect({ protocol: "ws", host: "127.0.0.1", port });
      const [flowId, reason] = await closed;
      assert.equal(flowId, evilFlow.flowId);
      assert.equal(reason, "framing_error");
      assert.equal(client.counters("ws").framingErrors, 1);
      assert.equal(client.counters("ws").messagesIn, 0);
      assert.ok(client.flow(goodFlow.flowId), "the other flow is untouched");
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => evil.close(resolve));
    }
  });
});
