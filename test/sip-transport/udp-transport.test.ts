import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, describe, test } from "node:test";
import { type InboundMessage, TransportLayer } from "../../src/sip/index.js";
import { eventually, sipRequest, sipResponse, waitFor } from "./transport-helpers.js";

describe("UDP transport", () => {
  const layers: TransportLayer[] = [];
  const newLayer = (options: ConstructorParameters<typeof TransportLayer>[0] = {}): TransportLayer => {
    const layer = new TransportLayer({ keepAliveIntervalMs: 0, ...options });
    layers.push(layer);
    return layer;
  };
  after(async () => {
    await Promise.all(layers.map((l) => l.close()));
  });

  for (const host of ["127.0.0.1", "::1"]) {
    test(`request and response both ways over ${host}, port 0 reports the real port`, async () => {
      const a = newLayer();
      const b = newLayer();
      const aAddr = await a.listen({ protocol: "udp", host, port: 0 });
      const bAddr = await b.listen({ protocol: "udp", host, port: 0 });
      assert.notEqual(bAddr.port, 0);
      assert.equal(bAddr.host, host);
      const received = waitFor<[InboundMessage]>(b, "message");
      const request = sipRequest("OPTIONS", "udp-1");
      const sent = await a.send(request, bAddr, { isRequest: true });
      const [inbound] = await received;
      assert.deepEqual(inbound.data, request);
      assert.deepEqual(inbound.source, { protocol: "udp", host, port: aAddr.port });
      assert.equal(inbound.local.port, bAddr.port);
      assert.equal(sent.local.port, aAddr.port);

      const reply = waitFor<[InboundMessage]>(a, "message");
      await b.send(sipResponse("udp-1"), inbound.source, { flowId: inbound.flowId });
      const [response] = await reply;
      assert.equal(response.data.toString().split("\r\n")[0], "SIP/2.0 200 OK");
      assert.equal(a.counters("udp").messagesOut, 1);
      assert.equal(b.counters("udp").messagesIn, 1);
    });
  }

  test("CRLF keep-alives and runt datagrams are not messages; they are counted", async () => {
    const b = newLayer();
    const bAddr = await b.listen({ protocol: "udp", host: "127.0.0.1", port: 0 });
    const messages: InboundMessage[] = [];
    b.on("message", (m) => messages.push(m));
    const raw = createSocket("udp4");
    try {
      for (const payload of ["\r\n\r\n", "\r\n", "xyz"]) {
        raw.send(Buffer.from(payload), bAddr.port, "127.0.0.1");
      }
      raw.send(sipRequest("OPTIONS", "after-keepalive"), bAddr.port, "127.0.0.1");
      await eventually(() => messages.length === 1);
      assert.equal(b.counters("udp").keepAlivesIn, 2);
      assert.equal(b.counters("udp").dropped, 1);
    } finally {
      raw.close();
    }
  });

  test("RFC 3261 18.1.1: a request over 1300 bytes to a UDP destination goes over TCP", async () => {
    const a = newLayer();
    const b = newLayer();
    const udpAddr = await b.listen({ protocol: "udp", host: "127.0.0.1", port: 0 });
    await b.listen({ protocol: "tcp", host: "127.0.0.1", port: udpAddr.port });
    const large = sipRequest("MESSAGE", "big-1", "x".repeat(1400));
    assert.equal(a.selectProtocol(udpAddr, large.length, { isRequest: true }), "tcp");
    assert.equal(a.selectProtocol(udpAddr, large.length, { isRequest: false }), "udp");
    const received = waitFor<[InboundMessage]>(b, "message");
    const result = await a.send(large, udpAddr, { isRequest: true });
    const [inbound] = await received;
    assert.equal(result.remote.protocol, "tcp");
    assert.equal(inbound.source.protocol, "tcp");
    assert.deepEqual(inbound.data, large);
    assert.equal(a.counters("tcp").messagesOut, 1);
    assert.equal(a.counters("udp").messagesOut, 0);
    // A small request and a large response stay on UDP.
    const small = waitFor<[InboundMessage]>(b, "message", (m) => m.source.protocol === "udp");
    await a.send(sipRequest("OPTIONS", "small"), udpAddr, { isRequest: true });
    await small;
    assert.equal(a.counters("udp").messagesOut, 1);
  });
});
