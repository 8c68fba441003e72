import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { getCSeq, getTopVia, getToTag } from "../message/message-accessors.js";
import { createRequest, createResponse } from "../message/message-builders.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipMessage, SipRequest, SipResponse } from "../message/sip-message.js";
import { sipUri } from "../message/sip-uri.js";
import { parseVia, viaBranch } from "../message/via-header.js";
import type { TransportLayer } from "../transport/transport-layer.js";
import type { SipAddress, TransportProtocol } from "../transport/transport-types.js";
import { TransactionLayer } from "./transaction-layer.js";
import { FakeSender } from "./transaction-testing.js";
import type { ClientTransactionFailure, ClientTransactionUser, MessageSender } from "./transaction-types.js";

// Compile-time seam check: the real transport layer plugs in as the transaction layer's sender.
type TransportLayerIsSender = TransportLayer extends MessageSender ? true : false;
const transportLayerIsSender: TransportLayerIsSender = true;

const peer = (protocol: TransportProtocol): SipAddress => ({ protocol, host: "192.0.2.9", port: 5060 });

function request(method: string, transport = "UDP"): SipRequest {
  const via = parseVia(`SIP/2.0/${transport} 192.0.2.1:5060;branch=z9hG4bK-${method}-1;rport`);
  const from = parseNameAddr("<sip:alice@example.com>;tag=a1");
  const to = parseNameAddr("<sip:bob@example.com>");
  assert.ok(via && from && to);
  return createRequest({
    method,
    uri: sipUri({ user: "bob", host: "example.com" }),
    via,
    from,
    to,
    callId: "c1",
    cseq: 1,
  });
}

function setup(protocol: TransportProtocol = "udp") {
  const clock = new FakeClock();
  const sender = new FakeSender(() => clock.nowMs());
  const layer = new TransactionLayer({ sender, clock, tu: { onRequest: () => {} } });
  const responses: SipResponse[] = [];
  const failures: ClientTransactionFailure[] = [];
  const user: ClientTransactionUser = {
    onResponse: (r) => responses.push(r),
    onFailure: (f) => failures.push(f),
  };
  const inbound = {
    source: peer(protocol),
    local: { protocol, host: "192.0.2.1", port: 5060 },
    flowId: "flow-1",
    data: Buffer.alloc(0),
  };
  const deliver = (m: SipMessage): void => layer.receive(m, inbound);
  return { clock, sender, layer, responses, failures, user, deliver };
}

const isMethod = (method: string) => (m: SipMessage) => m.kind === "request" && m.method === method;

describe("INVITE client transaction (RFC 3261 17.1.1, RFC 6026)", () => {
  test("the transport layer satisfies MessageSender", () => assert.equal(transportLayerIsSender, true));
  test("UDP: Timer A doubles from T1 with no cap; Timer B at 64*T1 reports 408", () => {
    const s = setup();
    const tx = s.layer.sendRequest(request("INVITE"), peer("udp"), s.user);
    s.clock.advance(40_000);
    assert.deepEqual(s.sender.times(isMethod("INVITE")), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(s.failures.length, 1);
    assert.equal(s.failures[0]?.reason, "timeout");
    assert.equal(s.failures[0]?.response.status, 408);
    assert.equal(tx.state, "terminated");
    assert.equal(s.layer.clientTransactionCount, 0);
  });

  test("reliable: no retransmission, timeout still at 64*T1", () => {
    const s = setup("tcp");
    s.layer.sendRequest(request("INVITE", "TCP"), peer("tcp"), s.user);
    s.clock.advance(31_999);
    assert.equal(s.failures.length, 0);
    s.clock.advance(1);
    assert.deepEqual(s.sender.times(isMethod("INVITE")), [0]);
    assert.equal(s.failures.length, 1);
  });

  test("1xx stops retransmission; non-2xx final is ACKed by the transaction, retransmits re-ACKed; Timer D 32 s", () => {
    const s = setup();
    const inv = request("INVITE");
    const tx = s.layer.sendRequest(inv, peer("udp"), s.user);
    s.clock.advance(600);
    s.deliver(createResponse(inv, 180, { toTag: "b1" }));
    assert.equal(tx.state, "proceeding");
    s.clock.advance(60_000);
    assert.deepEqual(s.sender.times(isMethod("INVITE")), [0, 500]);
    assert.equal(s.failures.length, 0, "Timer B does not run in Proceeding");
    const busy = createResponse(inv, 486, { toTag: "b1" });
    s.deliver(busy);
    assert.equal(tx.state, "completed");
    const acks = s.sender.sent.filter((r) => isMethod("ACK")(r.message));
    assert.equal(acks.length, 1);
    const ack = acks[0]?.message;
    assert.ok(ack);
    assert.equal(viaBranch(getTopVia(ack) ?? assert.fail()), "z9hG4bK-INVITE-1");
    assert.equal(getToTag(ack), "b1");
    assert.deepEqual(getCSeq(ack), { seq: 1, method: "ACK" });
    s.deliver(busy);
    assert.equal(s.sender.times(isMethod("ACK")).length, 2);
    assert.deepEqual(
      s.responses.map((r) => r.status),
      [180, 486],
    );
    s.clock.advance(31_999);
    assert.equal(tx.state, "completed");
    s.clock.advance(1);
    assert.equal(tx.state, "terminated");
  });

  test("reliable: Timer D is zero", () => {
    const s = setup("tcp");
    const inv = request("INVITE", "TCP");
    const tx = s.layer.sendRequest(inv, peer("tcp"), s.user);
    s.deliver(createResponse(inv, 603, { toTag: "b1" }));
    s.clock.advance(0);
    assert.equal(tx.state, "terminated");
  });

  test("2xx: Accepted passes 2xx retransmissions up, Timer M terminates at 64*T1", () => {
    const s = setup();
    const inv = request("INVITE");
    const tx = s.layer.sendRequest(inv, peer("udp"), s.user);
    const ok = createResponse(inv, 200, { toTag: "b1" });
    s.deliver(ok);
    assert.equal(tx.state, "accepted");
    s.deliver(ok);
    assert.deepEqual(
      s.responses.map((r) => r.status),
      [200, 200],
    );
    assert.equal(s.sender.times(isMethod("ACK")).length, 0, "the ACK for a 2xx is the TU's job");
    s.clock.advance(32_000);
    assert.equal(tx.state, "terminated");
    s.deliver(ok);
    assert.equal(s.layer.counters.strayResponses, 1);
  });

  test("transport failure is reported as a local 503", async () => {
    const s = setup();
    s.sender.fail = true;
    const tx = s.layer.sendRequest(request("INVITE"), peer("udp"), s.user);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(s.failures[0]?.reason, "transport");
    assert.equal(s.failures[0]?.response.status, 503);
    assert.equal(tx.state, "terminated");
  });
});

describe("non-INVITE client transaction (RFC 3261 17.1.2)", () => {
  test("UDP: Timer E doubles capped at T2; Timer F at 64*T1 reports 408", () => {
    const s = setup();
    s.layer.sendRequest(request("OPTIONS"), peer("udp"), s.user);
    s.clock.advance(40_000);
    assert.deepEqual(
      s.sender.times(isMethod("OPTIONS")),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(s.failures[0]?.response.status, 408);
  });

  test("Proceeding retransmits every T2; final -> Completed; Timer K = T4 then terminated", () => {
    const s = setup();
    const req = request("REGISTER");
    const tx = s.layer.sendRequest(req, peer("udp"), s.user);
    s.clock.advance(600);
    s.deliver(createResponse(req, 100));
    assert.equal(tx.state, "proceeding");
    s.clock.advance(10_000);
    assert.deepEqual(s.sender.times(isMethod("REGISTER")), [0, 500, 1500, 5500, 9500]);
    s.deliver(createResponse(req, 200, { toTag: "r" }));
    assert.equal(tx.state, "completed");
    s.deliver(createResponse(req, 200, { toTag: "r" }));
    assert.deepEqual(
      s.responses.map((r) => r.status),
      [100, 200],
    );
    s.clock.advance(4_999);
    assert.equal(tx.state, "completed");
    s.clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(s.sender.times(isMethod("REGISTER")).length, 5);
  });

  test("reliable: no Timer E, K = 0", () => {
    const s = setup("tls");
    const req = request("BYE", "TLS");
    const tx = s.layer.sendRequest(req, peer("tls"), s.user);
    s.clock.advance(10_000);
    assert.deepEqual(s.sender.times(isMethod("BYE")), [0]);
    s.deliver(createResponse(req, 200));
    s.clock.advance(0);
    assert.equal(tx.state, "terminated");
  });

  test("responses match by branch and CSeq method (CANCEL and INVITE share a branch)", () => {
    const s = setup();
    const inv = request("INVITE");
    const invTx = s.layer.sendRequest(inv, peer("udp"), s.user);
    const cancel = {
      ...inv,
      method: "CANCEL" as const,
      headers: inv.headers.clone().set("CSeq", "1 CANCEL"),
    };
    const cancelTx = s.layer.sendRequest(cancel, peer("udp"), s.user);
    s.deliver(createResponse(cancel, 200));
    assert.equal(cancelTx.state, "completed");
    assert.equal(invTx.state, "calling");
  });
});
