import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type InboundMessage, TransportLayer } from "../../src/sip/index.js";
import { makeTestCerts, sipRequest, sipResponse, type TestCerts, waitFor } from "./transport-helpers.js";

describe("TLS transport", () => {
  let certs: TestCerts;
  const layers: TransportLayer[] = [];
  const newLayer = (options: ConstructorParameters<typeof TransportLayer>[0] = {}): TransportLayer => {
    const layer = new TransportLayer({ keepAliveIntervalMs: 0, connectTimeoutMs: 3_000, ...options });
    layers.push(layer);
    return layer;
  };
  before(() => {
    certs = makeTestCerts();
  });
  after(async () => {
    await Promise.all(layers.map((l) => l.close()));
    certs.cleanup();
  });

  test("verified connection (trusted CA): request in, response back on the same connection", async () => {
    const server = newLayer();
    const addr = await server.listen({
      protocol: "tls",
      host: "127.0.0.1",
      port: 0,
      tls: { key: certs.serverKey, cert: certs.serverCert },
    });
    const client = newLayer({ tls: { ca: certs.caPem } });
    const gotRequest = waitFor<[InboundMessage]>(server, "message");
    const sent = await client.send(sipRequest("REGISTER", "tls-1"), addr, { isRequest: true });
    const [request] = await gotRequest;
    assert.equal(request.source.protocol, "tls");
    const gotResponse = waitFor<[InboundMessage]>(client, "message");
    await server.send(sipResponse("tls-1"), request.source, { flowId: request.flowId });
    assert.equal((await gotResponse)[0].flowId, sent.flowId);
    assert.equal(client.counters("tls").messagesIn, 1);
  });

  test("an untrusted server certificate is rejected by default", async () => {
    const server = newLayer();
    const addr = await server.listen({
      protocol: "tls",
      host: "127.0.0.1",
      port: 0,
      tls: { key: certs.selfSignedKey, cert: certs.selfSignedCert },
    });
    const strict = newLayer();
    await assert.rejects(strict.connect(addr), (error: unknown) => {
      assert.ok(error instanceof Error && "code" in error && error.code === "tls_handshake_failed");
      return true;
    });
    assert.equal(strict.flows().length, 0);
    // Trusting another CA does not help either.
    const otherCa = newLayer({ tls: { ca: certs.caPem } });
    await assert.rejects(otherCa.connect(addr));
  });

  test("the explicit opt-out accepts a self-signed certificate", async () => {
    const server = newLayer();
    const addr = await server.listen({
      protocol: "tls",
      host: "127.0.0.1",
      port: 0,
      tls: { key: certs.selfSignedKey, cert: certs.selfSignedCert },
    });
    const lax = newLayer({ tls: { rejectUnauthorized: false } });
    const got = waitFor<[InboundMessage]>(server, "message");
    await lax.send(sipRequest("OPTIONS", "tls-lax"), addr, { isRequest: true });
    assert.equal((await got)[0].data.toString(), sipRequest("OPTIONS", "tls-lax").toString());
  });

  test("a host-name mismatch is rejected (servername checked against the certificate)", async () => {
    const server = newLayer();
    const addr = await server.listen({
      protocol: "tls",
      host: "127.0.0.1",
      port: 0,
      tls: { key: certs.serverKey, cert: certs.serverCert },
    });
    const wrongName = newLayer({ tls: { ca: certs.caPem, servername: "sip.example.com" } });
    await assert.rejects(wrongName.connect(addr));
    const rightName = newLayer({ tls: { ca: certs.caPem, servername: "localhost" } });
    const flow = await rightName.connect(addr);
    assert.equal(flow.protocol, "tls");
  });
});
