import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { getRoutes } from "../message/message-accessors.js";
import { createResponse } from "../message/message-builders.js";
import { parseMessage } from "../message/message-parser.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { formatUri } from "../message/sip-uri.js";
import { parseVia } from "../message/via-header.js";
import { Dialog, dialogIdOfRequest, initialCSeq } from "./dialog.js";
import { DialogTable } from "./dialog-table.js";
import { glareRetryDelayMs } from "./glare-timer.js";

function parse(text: string): SipRequest | SipResponse {
  const r = parseMessage(Buffer.from(text.replace(/\n/g, "\r\n")));
  assert.ok(r.ok);
  return r.message;
}

const invite = parse(`INVITE sip:agent@10.0.0.2:5060 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1
Record-Route: <sip:p1.example.com;lr>
Record-Route: <sip:p2.example.com;lr>
From: <sip:alice@example.com>;tag=a1
To: <sip:agent@example.com>
Call-ID: c1
CSeq: 10 INVITE
Contact: <sip:alice@10.0.0.1:5070>
Max-Forwards: 70
Content-Length: 0

`) as SipRequest;

const via = parseVia("SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx");
assert.ok(via);

describe("Dialog", () => {
  test("UAS: route set in order, remote target from Contact, remote CSeq checked (RFC 3261 12.1.1, 12.2.2)", () => {
    const d = Dialog.asUas(invite, "b2", 100);
    assert.ok(d);
    assert.equal(d.state, "early");
    assert.deepEqual(d.id, { callId: "c1", localTag: "b2", remoteTag: "a1" });
    assert.equal(formatUri(d.remoteTarget), "sip:alice@10.0.0.1:5070");
    const bye = d.createRequest("BYE", { via });
    assert.equal(formatUri(bye.uri), "sip:alice@10.0.0.1:5070");
    assert.deepEqual(
      getRoutes(bye)?.map((r) => formatUri(r.uri)),
      ["sip:p1.example.com;lr", "sip:p2.example.com;lr"],
    );
    assert.equal(bye.headers.get("CSeq"), "101 BYE");
    assert.equal(d.createRequest("INFO", { via }).headers.get("CSeq"), "102 INFO");
    assert.match(bye.headers.get("From") ?? "", /tag=b2/);
    assert.match(bye.headers.get("To") ?? "", /tag=a1/);
    const req = (cseq: string, method: string): SipRequest => {
      const headers = invite.headers.clone().set("CSeq", `${cseq} ${method}`);
      return { ...invite, method, headers };
    };
    assert.equal(d.checkRemoteCSeq(req("9", "BYE")), "out-of-order");
    assert.equal(d.checkRemoteCSeq(req("11", "BYE")), "ok");
    assert.equal(d.remoteSeq, 11);
  });

  test("UAC: route set reversed, confirmed by 2xx, target refresh on re-INVITE", () => {
    const ok = createResponse(invite, 200, {
      toTag: "b2",
      contact: {
        uri: {
          kind: "sip",
          scheme: "sip",
          host: "10.0.0.2",
          port: 5062,
          params: [],
          headers: [],
          user: "agent",
          password: undefined,
        },
        params: [],
      },
    });
    const d = Dialog.asUac(invite, ok);
    assert.ok(d);
    assert.equal(d.state, "confirmed");
    assert.deepEqual(d.id, { callId: "c1", localTag: "a1", remoteTag: "b2" });
    assert.deepEqual(
      d.routeSet.map((r) => formatUri(r.uri)),
      ["sip:p2.example.com;lr", "sip:p1.example.com;lr"],
    );
    assert.equal(formatUri(d.nextHopUri()), "sip:p2.example.com;lr");
    const ack = d.createAck(10, { via });
    assert.equal(ack.headers.get("CSeq"), "10 ACK");
    assert.equal(d.createRequest("BYE", { via }).headers.get("CSeq"), "11 BYE");
    const reinvite = { ...invite, headers: invite.headers.clone().set("Contact", "<sip:agent@10.9.9.9>") };
    d.refreshTarget(reinvite);
    assert.equal(formatUri(d.remoteTarget), "sip:agent@10.9.9.9");
    d.terminate();
    assert.equal(d.state, "terminated");
  });

  test("dialog ids of in-dialog requests, and the table", () => {
    assert.equal(dialogIdOfRequest(invite), undefined, "no To tag: out of dialog");
    const d = Dialog.asUas(invite, "b2", 1);
    assert.ok(d);
    const table = new DialogTable<string>();
    table.add(d, "usage");
    const inDialog = {
      ...invite,
      headers: invite.headers.clone().set("To", "<sip:agent@example.com>;tag=b2"),
    };
    const id = dialogIdOfRequest(inDialog);
    assert.ok(id);
    assert.equal(table.find(id)?.usage, "usage");
    table.remove(d);
    assert.equal(table.size, 0);
  });

  test("initial CSeq below 2^31 and glare timers in 10 ms units (RFC 3261 14.1)", () => {
    for (const r of [0, 0.5, 0.999999]) {
      const seq = initialCSeq(() => r);
      assert.ok(seq >= 1 && seq < 2 ** 31);
      const owner = glareRetryDelayMs(true, () => r);
      const other = glareRetryDelayMs(false, () => r);
      assert.ok(owner >= 2100 && owner <= 4000 && owner % 10 === 0, String(owner));
      assert.ok(other >= 0 && other <= 2000 && other % 10 === 0, String(other));
    }
    assert.equal(
      glareRetryDelayMs(true, () => 0),
      2100,
    );
    assert.equal(
      glareRetryDelayMs(false, () => 0.999999),
      2000,
    );
  });
});
