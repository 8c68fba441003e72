import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createInDialogRequest } from "./in-dialog-builder.js";
import { getCSeq, getTo, getToTag, getVias } from "./message-accessors.js";
import { createAck, createCancel, createRequest, createResponse } from "./message-builders.js";
import { parseMessage } from "./message-parser.js";
import { serializeMessage } from "./message-serializer.js";
import { validateRequest } from "./message-validate.js";
import { parseNameAddr } from "./name-addr.js";
import type { SipRequest } from "./sip-message.js";
import { formatUri, parseUri, sipUri } from "./sip-uri.js";
import { parseVia } from "./via-header.js";

function invite(): SipRequest {
  const via = parseVia("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport");
  const from = parseNameAddr('"Alice" <sip:alice@example.com>;tag=a1');
  const to = parseNameAddr("<sip:bob@example.com>");
  const route = parseNameAddr("<sip:proxy.example.com;lr>");
  assert.ok(via && from && to && route);
  return createRequest({
    method: "INVITE",
    uri: sipUri({ user: "bob", host: "example.com" }),
    via,
    from,
    to,
    callId: "call-1",
    cseq: 7,
    route: [route],
    body: "v=0\r\n",
    contentType: "application/sdp",
  });
}

describe("URI model", () => {
  test("IPv6, port, params, headers, password", () => {
    const u = parseUri("sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr?Subject=hi&Priority=urgent");
    assert.ok(u?.kind === "sip");
    assert.equal(u.host, "2001:db8::1");
    assert.equal(u.port, 5061);
    assert.equal(u.password, "secret");
    assert.deepEqual(u.params, [{ name: "transport", value: "tls" }, { name: "lr" }]);
    assert.equal(u.headers.length, 2);
    assert.equal(
      formatUri(u),
      "sips:alice:secret@[2001:db8::1]:5061;transport=tls;lr?Subject=hi&Priority=urgent",
    );
  });
  test("tel and unknown schemes; malformed rejected", () => {
    assert.equal(parseUri("tel:+1-201-555-0123;phone-context=example.com")?.kind, "tel");
    assert.equal(parseUri("urn:service:sos")?.kind, "other");
    assert.equal(parseUri("sip:user@host:99999"), undefined);
    assert.equal(parseUri("sip:us er@host"), undefined);
    assert.equal(parseUri("sip:[::1"), undefined);
  });
});

describe("header lists", () => {
  test("commas inside quotes and brackets do not split; compact forms are expanded", () => {
    const raw =
      'INVITE sip:b@example.com SIP/2.0\r\nv: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\nm: "Doe, John" <sip:j@example.com;x=a,b>, <sip:k@example.com>;q=0.5\r\nf: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>\r\ni: c1\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n';
    const r = parseMessage(Buffer.from(raw));
    assert.ok(r.ok);
    assert.equal(r.message.headers.getAll("Via").length, 2);
    assert.deepEqual(r.message.headers.getAll("contact"), [
      '"Doe, John" <sip:j@example.com;x=a,b>',
      "<sip:k@example.com>;q=0.5",
    ]);
    assert.ok(serializeMessage(r.message).toString().includes("Call-ID: c1\r\n"));
    // ',' is not a URI paramchar (RFC 3261 25.1), so the first Contact is malformed once parsed.
    assert.deepEqual(validateRequest(r.message.kind === "request" ? r.message : invite()), {
      ok: false,
      status: 400,
      reason: "Malformed Contact",
    });
  });
  test("missing Max-Forwards is tolerated and flagged", () => {
    const m = invite();
    m.headers.remove("Max-Forwards");
    assert.deepEqual(validateRequest(m), { ok: true, warnings: ["missing-max-forwards"] });
  });
});

describe("builders", () => {
  test("createResponse copies Vias, From, To(+tag), Call-ID, CSeq, Record-Route for 2xx", () => {
    const req = invite();
    req.headers.append("Via", "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp");
    req.headers.append("Record-Route", "<sip:rr.example.com;lr>");
    const ok = createResponse(req, 200, { toTag: "b2" });
    assert.equal(ok.reason, "OK");
    assert.equal(getVias(ok)?.length, 2);
    assert.equal(getToTag(ok), "b2");
    assert.deepEqual(ok.headers.getAll("Record-Route"), ["<sip:rr.example.com;lr>"]);
    assert.deepEqual(getCSeq(ok), { seq: 7, method: "INVITE" });
    const trying = createResponse(req, 100, { toTag: "b2" });
    assert.equal(getToTag(trying), undefined);
    assert.equal(trying.headers.has("Record-Route"), false);
    const busy = createResponse(req, 486, { toTag: "b2" });
    assert.equal(busy.headers.has("Record-Route"), false);
  });
  test("createAck (17.1.1.3) and createCancel (9.1) keep the branch and Route", () => {
    const req = invite();
    const busy = createResponse(req, 486, { toTag: "b2" });
    const ack = createAck(req, busy);
    assert.equal(ack.method, "ACK");
    assert.equal(ack.headers.get("Via"), req.headers.get("Via"));
    assert.equal(getToTag(ack), "b2");
    assert.deepEqual(getCSeq(ack), { seq: 7, method: "ACK" });
    assert.deepEqual(ack.headers.getAll("Route"), req.headers.getAll("Route"));
    const cancel = createCancel(req);
    assert.equal(cancel.headers.get("Via"), req.headers.get("Via"));
    assert.deepEqual(getCSeq(cancel), { seq: 7, method: "CANCEL" });
    assert.equal(getTo(cancel)?.params.length, 0);
    assert.ok(validateRequest(cancel).ok);
  });
  test("serialize counts body bytes (UTF-8)", () => {
    const req = invite();
    const m = createResponse(req, 200, { body: "héllo", contentType: "text/plain" });
    const r = parseMessage(serializeMessage(m));
    assert.ok(r.ok);
    assert.equal(r.message.headers.get("Content-Length"), "6");
    assert.equal(r.message.body.toString("utf8"), "héllo");
  });
});

describe("in-dialog requests (RFC 3261 12.2.1.1)", () => {
  const local = parseNameAddr("<sip:alice@example.com>");
  const remote = parseNameAddr('"Bob" <sip:bob@example.com>');
  const via = parseVia("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKd1");
  const target = parseUri("sip:bob@192.0.2.9:5062");
  test("loose routing keeps the remote target as Request-URI", () => {
    const lr = parseNameAddr("<sip:p1.example.com;lr>");
    assert.ok(local && remote && via && target && lr);
    const bye = createInDialogRequest({
      method: "BYE",
      callId: "c1",
      local,
      localTag: "a1",
      remote,
      remoteTag: "b1",
      remoteTarget: target,
      routeSet: [lr],
      cseq: 2,
      via,
    });
    assert.equal(formatUri(bye.uri), "sip:bob@192.0.2.9:5062");
    assert.deepEqual(bye.headers.getAll("Route"), ["<sip:p1.example.com;lr>"]);
    assert.equal(getToTag(bye), "b1");
    assert.deepEqual(getCSeq(bye), { seq: 2, method: "BYE" });
    assert.ok(validateRequest(bye).ok);
  });
  test("strict routing: first route becomes the Request-URI, remote target goes last", () => {
    const strict = parseNameAddr("<sip:p1.example.com>");
    const second = parseNameAddr("<sip:p2.example.com;lr>");
    assert.ok(local && remote && via && target && strict && second);
    const bye = createInDialogRequest({
      method: "BYE",
      callId: "c1",
      local,
      localTag: "a1",
      remote,
      remoteTag: "b1",
      remoteTarget: target,
      routeSet: [strict, second],
      cseq: 3,
      via,
    });
    assert.equal(formatUri(bye.uri), "sip:p1.example.com");
    assert.deepEqual(bye.headers.getAll("Route"), ["<sip:p2.example.com;lr>", "<sip:bob@192.0.2.9:5062>"]);
  });
});
