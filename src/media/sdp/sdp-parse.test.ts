import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSdp } from "./sdp-parse.js";
import { serializeSdp } from "./sdp-serialize.js";
import { baresipOffer, ringCentralSdesOffer, ringCentralWebRtcOffer } from "./sdp-test-fixtures.js";
import type { SessionDescription } from "./sdp-types.js";

function parsed(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.sdp;
}

describe("parseSdp", () => {
  test("RingCentral SDES offer (CRLF): origin, connection, m= line, rtpmap, fmtp, crypto", () => {
    const sdp = parsed(ringCentralSdesOffer);
    assert.equal(sdp.origin.sessionVersion, 4600226109999676363n);
    assert.equal(sdp.origin.sessionId, "2610592518286011702");
    assert.equal(sdp.sessionName, "SmcSip");
    assert.deepEqual(sdp.connection, { netType: "IN", addrType: "IP4", address: "199.255.120.176" });
    const m = sdp.media[0];
    assert.ok(m);
    assert.equal(m.port, 42898);
    assert.equal(m.proto, "RTP/SAVP");
    assert.deepEqual(m.formats, ["111", "9", "0", "18", "96", "8", "109", "101"]);
    assert.deepEqual(m.rtpMaps[0], {
      payloadType: 111,
      encodingName: "OPUS",
      clockRateHz: 48000,
      channels: 2,
    });
    assert.deepEqual(m.fmtps[0], { payloadType: 111, parameters: "useinbandfec=1;usedtx=0" });
    assert.equal(m.direction, "sendrecv");
    assert.deepEqual(m.cryptos, [
      {
        tag: 1,
        suite: "AES_CM_128_HMAC_SHA1_80",
        keyParams: ["inline:Jl6MySNYkuEig6tBMT/Ilf+Xh+15MIxLOdpCxEfG"],
        sessionParams: [],
      },
      {
        tag: 2,
        suite: "AES_CM_128_HMAC_SHA1_32",
        keyParams: ["inline:0s3r1/NKCnIySlImrKx58iLjwm1Dnv8pCLzY5wtA"],
        sessionParams: [],
      },
    ]);
    assert.deepEqual(
      m.attributes.map((a) => a.name),
      ["rtcp-fb", "rtcp-fb"],
    );
  });

  test("WebRTC offer: rtcp, rtcp-mux, ICE attributes kept", () => {
    const m = parsed(ringCentralWebRtcOffer).media[0];
    assert.ok(m);
    assert.deepEqual(m.rtcp, { port: 29769 });
    assert.equal(m.rtcpMux, true);
    assert.ok(m.attributes.some((a) => a.name === "candidate"));
    assert.ok(m.attributes.some((a) => a.name === "fingerprint" && a.value?.startsWith("sha-1 8E:C8")));
  });

  test("bare LF, b= lines, ptime, two m= lines", () => {
    const sdp = parsed(baresipOffer);
    assert.equal(sdp.media.length, 2);
    assert.equal(sdp.media[0]?.ptimeMs, 20);
    assert.deepEqual(sdp.media[0]?.bandwidths, [{ type: "AS", kbps: 128 }]);
    assert.equal(sdp.media[1]?.media, "video");
  });

  test("serialize then parse gives the same model (round trip)", () => {
    for (const text of [ringCentralSdesOffer, ringCentralWebRtcOffer, baresipOffer]) {
      const sdp = parsed(text);
      const again = parsed(serializeSdp(sdp));
      assert.deepEqual(again, sdp);
    }
  });

  test("serialize writes CRLF lines in RFC order", () => {
    const out = serializeSdp(parsed(baresipOffer));
    const lines = out.split("\r\n");
    assert.deepEqual(lines.slice(0, 5), [
      "v=0",
      "o=- 1853296164 1853296164 IN IP4 127.0.0.1",
      "s=-",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
    ]);
    assert.ok(out.endsWith("\r\n"));
    assert.ok(lines.includes("a=rtcp-mux"));
  });

  test("session-level and media-level c= and rtcp with address", () => {
    const sdp = parsed(
      "v=0\r\no=a 1 2 IN IP4 10.0.0.1\r\ns=x\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
        "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 10.0.0.2\r\na=rtcp:4005 IN IP4 10.0.0.3\r\na=maxptime:40\r\n",
    );
    assert.equal(sdp.media[0]?.connection?.address, "10.0.0.2");
    assert.deepEqual(sdp.media[0]?.rtcp, {
      port: 4005,
      connection: { netType: "IN", addrType: "IP4", address: "10.0.0.3" },
    });
    assert.equal(sdp.media[0]?.maxPtimeMs, 40);
  });

  test("malformed input gives a typed error, never throws", () => {
    const bad = [
      "",
      "hello",
      "v=1\r\n",
      "v=0\r\ns=x\r\n",
      "v=0\r\no=- 1 x IN IP4 1.2.3.4\r\ns=x\r\n",
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nm=audio 99999 RTP/AVP 0\r\n",
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:abc PCMU/8000\r\n",
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nm=audio 1 RTP/AVP 0\r\na=crypto:1 AES\r\n",
      "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nm=audio 1 RTP/AVP 0\r\na=ptime:x\r\n",
    ];
    for (const text of bad) {
      const r = parseSdp(text);
      assert.equal(r.ok, false, text);
    }
  });

  test("fuzz: random mutations of real SDP never throw", () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = "=: /\r\n0123456789abcxyzAV-;";
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const chars = [...ringCentralSdesOffer];
      const edits = 1 + rand(8);
      for (let e = 0; e < edits; e++) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)] ?? "x");
        else chars[at] = alphabet[rand(alphabet.length)] ?? "x";
      }
      const r = parseSdp(chars.join(""));
      if (!r.ok) failures++;
      else serializeSdp(r.sdp);
    }
    assert.ok(failures > 0, "some mutations must be rejected");
  });
});
