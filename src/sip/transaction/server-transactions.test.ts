import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { getTopVia } from "../message/message-accessors.js";
import { createAck, createCancel, createRequest, createResponse } from "../message/message-builders.js";
import { serializeMessage } from "../message/message-serializer.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipMessage, SipRequest } from "../message/sip-message.js";
import { sipUri } from "../message/sip-uri.js";
import { getViaRport, parseVia } from "../message/via-header.js";
import type { InboundMessage, TransportProtocol } from "../transport/transport-types.js";
import type { ServerTransaction } from "./transaction-layer.js";
import { TransactionLayer } from "./transaction-layer.js";
import { FakeSender } from "./transaction-testing.js";
import type { ServerTransactionFailure } from "./transaction-types.js";
import { startTwoXxRetransmission } from "./two-xx-retransmitter.js";

function request(method: string, branch = "z9hG4bK-srv-1", transport = "UDP"): SipRequest {
  const via = parseVia(`SIP/2.0/${transport} 10.0.0.7:5070;branch=${branch};rport`);
  const from = parseNameAddr("<sip:alice@example.com>;tag=a1");
  const to = parseNameAddr("<sip:bob@example.com>");
  assert.ok(via && from && to);
  return createRequest({
    method,
    uri: sipUri({ user: "bob", host: "example.com" }),
    via,
    from,
    to,
    callId: "c9",
    cseq: 5,
  });
}

function setup(protocol: TransportProtocol = "udp", trying100DelayMs = 200) {
  const clock = new FakeClock();
  const sender = new FakeSender(() => clock.nowMs());
  const received: Array<{ request: SipRequest; tx: ServerTransaction | undefined }> = [];
  const failures: ServerTransactionFailure[] = [];
  const layer = new TransactionLayer({
    sender,
    clock,
    trying100DelayMs,
    tu: {
      onRequest: (request, tx) => received.push({ request, tx }),
      onServerTransactionFailure: (_tx, f) => failures.push(f),
    },
  });
  const inbound: InboundMessage = {
    source: { protocol, host: "198.51.100.4", port: 40000 },
    local: { protocol, host: "192.0.2.1", port: 5060 },
    flowId: "flow-7",
    data: Buffer.alloc(0),
  };
  // Each delivery is a fresh parse, as from the wire, so Via stamping never leaks between deliveries.
  const deliver = (m: SipMessage): void => layer.receiveBytes({ ...inbound, data: serializeMessage(m) });
  return { clock, sender, layer, received, failures, deliver };
}

const status = (code: number) => (m: SipMessage) => m.kind === "response" && m.status === code;

describe("INVITE server transaction (RFC 3261 17.2.1, RFC 6026)", () => {
  test("100 Trying after 200 ms; retransmitted INVITE never reaches the TU and gets the last provisional", () => {
    const s = setup();
    const inv = request("INVITE");
    s.deliver(inv);
    s.clock.advance(199);
    assert.equal(s.sender.sent.length, 0);
    s.clock.advance(1);
    assert.deepEqual(s.sender.times(status(100)), [200]);
    s.deliver(inv);
    assert.equal(s.received.length, 1);
    assert.equal(s.layer.counters.absorbedRetransmissions, 1);
    assert.deepEqual(s.sender.times(status(100)), [200, 200]);
    const tx = s.received[0]?.tx;
    assert.ok(tx);
    tx.respond(createResponse(s.received[0]?.request ?? inv, 180, { toTag: "b" }));
    s.deliver(inv);
    assert.equal(s.sender.times(status(180)).length, 2);
  });

  test("Via gets received and rport (RFC 3581); responses go to the source address and port", () => {
    const s = setup("udp", 0);
    s.deliver(request("INVITE"));
    const via = getTopVia(s.received[0]?.request ?? assert.fail());
    assert.equal(getViaRport(via ?? assert.fail()), "40000");
    assert.equal(s.sender.sent[0]?.destination.port, 40000);
    assert.equal(s.sender.sent[0]?.destination.host, "198.51.100.4");
    assert.match(s.sender.sent[0]?.message.headers.get("Via") ?? "", /received=198\.51\.100\.4/);
  });

  test("TU answering within 200 ms suppresses the 100", () => {
    const s = setup();
    s.deliver(request("INVITE"));
    s.received[0]?.tx?.respond(createResponse(s.received[0].request, 180, { toTag: "b" }));
    s.clock.advance(1000);
    assert.equal(s.sender.times(status(100)).length, 0);
  });

  test("non-2xx final: Timer G doubles to T2; ACK confirms and is absorbed; Timer I = T4", () => {
    const s = setup();
    const inv = request("INVITE");
    s.deliver(inv);
    const first = s.received[0];
    assert.ok(first?.tx);
    const busy = createResponse(first.request, 486, { toTag: "b" });
    first.tx.respond(busy);
    s.clock.advance(10_000);
    assert.deepEqual(s.sender.times(status(486)), [0, 500, 1500, 3500, 7500]);
    s.deliver(createAck(inv, busy));
    assert.equal(first.tx.state, "confirmed");
    assert.equal(s.received.length, 1, "the ACK for a non-2xx is absorbed by the transaction");
    s.deliver(createAck(inv, busy));
    assert.equal(s.received.length, 1, "ACK retransmissions in Confirmed are absorbed");
    s.clock.advance(4_999);
    assert.equal(first.tx.state, "confirmed");
    s.clock.advance(1);
    assert.equal(s.sender.times(status(486)).length, 5);
    assert.equal(first.tx.state, "terminated");
    assert.equal(s.layer.serverTransactionCount, 0);
  });

  test("Timer H: no ACK within 64*T1 is a failure reported to the TU", () => {
    const s = setup();
    s.deliver(request("INVITE"));
    const first = s.received[0];
    assert.ok(first?.tx);
    first.tx.respond(createResponse(first.request, 480, { toTag: "b" }));
    s.clock.advance(31_999);
    assert.equal(s.failures.length, 0);
    s.clock.advance(1);
    assert.deepEqual(s.failures, [{ reason: "timeout" }]);
    assert.deepEqual(
      s.sender.times(status(480)),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
  });

  test("reliable: no Timer G, Timer I = 0", () => {
    const s = setup("tcp");
    const inv = request("INVITE", "z9hG4bK-tcp", "TCP");
    s.deliver(inv);
    const first = s.received[0];
    assert.ok(first?.tx);
    const busy = createResponse(first.request, 486, { toTag: "b" });
    first.tx.respond(busy);
    s.clock.advance(5_000);
    assert.equal(s.sender.times(status(486)).length, 1);
    assert.equal(s.sender.sent.at(-1)?.options?.flowId, "flow-7");
    s.deliver(createAck(inv, busy));
    s.clock.advance(0);
    assert.equal(first.tx.state, "terminated");
  });

  test("2xx: Accepted absorbs INVITE retransmissions; the 2xx ACK goes to the TU; Timer L", () => {
    const s = setup();
    const inv = request("INVITE");
    s.deliver(inv);
    const first = s.received[0];
    assert.ok(first?.tx);
    first.tx.respond(createResponse(first.request, 200, { toTag: "b" }));
    assert.equal(first.tx.state, "accepted");
    s.deliver(inv);
    assert.equal(s.received.length, 1);
    assert.equal(s.sender.times(status(200)).length, 1, "the transaction does not retransmit 2xx itself");
    const ack = request("ACK", "z9hG4bK-ack-2");
    s.deliver(ack);
    assert.equal(s.received.length, 2);
    assert.equal(s.received[1]?.tx, undefined);
    s.clock.advance(32_000);
    assert.equal(first.tx.state, "terminated");
  });

  test("CANCEL gets its own transaction and finds the INVITE it cancels", () => {
    const s = setup();
    const inv = request("INVITE");
    s.deliver(inv);
    s.deliver(createCancel(inv));
    const cancel = s.received[1];
    assert.equal(cancel?.request.method, "CANCEL");
    assert.equal(cancel?.tx?.kind, "non-invite-server");
    assert.equal(s.layer.findCancelledInvite(cancel?.request ?? inv), s.received[0]?.tx);
  });
});

describe("RFC 2543 peers (no magic cookie)", () => {
  test("retransmissions still match by Call-ID, From tag, CSeq and sent-by; the non-2xx ACK is absorbed", () => {
    const s = setup();
    const inv = request("INVITE", "old-style-branch");
    s.deliver(inv);
    s.deliver(inv);
    assert.equal(s.received.length, 1);
    const first = s.received[0];
    assert.ok(first?.tx);
    const busy = createResponse(first.request, 486, { toTag: "b" });
    first.tx.respond(busy);
    s.deliver(createAck(inv, busy));
    assert.equal(first.tx.state, "confirmed");
    assert.equal(s.received.length, 1);
  });
});

describe("non-INVITE server transaction (RFC 3261 17.2.2)", () => {
  test("Trying absorbs silently; Completed resends the final; Timer J = 64*T1 (UDP)", () => {
    const s = setup();
    const opt = request("OPTIONS");
    s.deliver(opt);
    s.deliver(opt);
    assert.equal(s.sender.sent.length, 0);
    const first = s.received[0];
    assert.ok(first?.tx);
    first.tx.respond(createResponse(first.request, 200, { toTag: "b" }));
    s.deliver(opt);
    assert.equal(s.sender.times(status(200)).length, 2);
    assert.equal(s.received.length, 1);
    s.clock.advance(31_999);
    assert.equal(first.tx.state, "completed");
    s.clock.advance(1);
    assert.equal(first.tx.state, "terminated");
    s.deliver(opt);
    assert.equal(s.received.length, 2, "after Timer J a retransmission is a new request");
  });

  test("reliable: Timer J = 0", () => {
    const s = setup("tcp");
    s.deliver(request("BYE", "z9hG4bK-b", "TCP"));
    const first = s.received[0];
    first?.tx?.respond(createResponse(first.request, 200));
    s.clock.advance(0);
    assert.equal(first?.tx?.state, "terminated");
  });

  test("malformed request is answered 400 with the reason; garbage is counted", () => {
    const s = setup();
    const bad = request("OPTIONS");
    bad.headers.set("CSeq", "5 INVITE");
    s.deliver(bad);
    assert.equal(s.received.length, 0);
    assert.equal(s.sender.sent[0]?.message.kind, "response");
    const res = s.sender.sent[0]?.message;
    assert.ok(res?.kind === "response");
    assert.equal(res.status, 400);
    assert.equal(res.reason, "CSeq Method Mismatch");
    s.layer.receiveBytes({
      source: { protocol: "udp", host: "1.2.3.4", port: 1 },
      local: { protocol: "udp", host: "1.2.3.4", port: 2 },
      flowId: "f",
      data: Buffer.from("garbage"),
    });
    assert.equal(s.layer.counters.unparsable, 1);
  });
});

describe("2xx retransmission helper (RFC 3261 13.3.1.4)", () => {
  test("T1 doubling to T2, stops on ACK", () => {
    const clock = new FakeClock();
    const times: number[] = [];
    let timedOut = false;
    const r = startTwoXxRetransmission({
      clock,
      retransmit: () => times.push(clock.nowMs()),
      onTimeout: () => {
        timedOut = true;
      },
    });
    clock.advance(12_000);
    assert.deepEqual(times, [500, 1500, 3500, 7500, 11500]);
    r.ackReceived();
    clock.advance(60_000);
    assert.equal(times.length, 5);
    assert.equal(timedOut, false);
  });
  test("gives up after 64*T1", () => {
    const clock = new FakeClock();
    let timedOutAt = -1;
    startTwoXxRetransmission({
      clock,
      retransmit: () => {},
      onTimeout: () => {
        timedOutAt = clock.nowMs();
      },
    });
    clock.advance(40_000);
    assert.equal(timedOutAt, 32_000);
    assert.equal(clock.pendingTimers, 0);
  });
});
