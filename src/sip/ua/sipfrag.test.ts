import assert from "node:assert/strict";
import { test } from "node:test";
import { sipfragBody, sipfragStatus } from "./sipfrag.js";

test("sipfrag status lines with CRLF, bare LF, none, or headers (RFC 3420)", () => {
  assert.equal(sipfragStatus(Buffer.from("SIP/2.0 100 Trying\n")), 100);
  assert.equal(sipfragStatus(Buffer.from("SIP/2.0 180 Ringing")), 180);
  assert.equal(sipfragStatus(Buffer.from("SIP/2.0 200 OK\r\n")), 200);
  assert.equal(sipfragStatus(Buffer.from("SIP/2.0 603 Declined\r\nContent-Length: 0\r\n\r\n")), 603);
  assert.equal(sipfragStatus(Buffer.from("INVITE sip:a@b SIP/2.0\r\n")), undefined);
  assert.equal(sipfragStatus(Buffer.from("garbage")), undefined);
  assert.equal(sipfragStatus(sipfragBody(486)), 486);
  assert.match(sipfragBody(200).toString(), /^SIP\/2\.0 200 OK\r\n/);
});
