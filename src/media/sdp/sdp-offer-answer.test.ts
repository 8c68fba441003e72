import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { answerOffer } from "./sdp-answer.js";
import { matchTelephoneEvent } from "./sdp-media-match.js";
import { createLocalOrigin, type MediaCapabilities, type SrtpSuiteName } from "./sdp-negotiation-types.js";
import { createOffer, nextLocalDescription, processAnswer, withDirection } from "./sdp-offer.js";
import { parseSdp } from "./sdp-parse.js";
import { serializeSdp } from "./sdp-serialize.js";
import { baresipOffer, ringCentralSdesOffer, ringCentralWebRtcOffer } from "./sdp-test-fixtures.js";
import type { SessionDescription } from "./sdp-types.js";

const fakeKey = (suite: SrtpSuiteName): string => `inline:OUR-KEY-FOR-${suite}`;

function caps(overrides: Partial<MediaCapabilities> = {}): MediaCapabilities {
  return {
    codecs: ["opus/48000/2", "G722/8000", "PCMU/8000", "PCMA/8000"],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"],
    srtpPolicy: "optional",
    address: "192.0.2.10",
    port: 40000,
    ptimeMs: 20,
    rtcpMux: true,
    generateKeyParams: fakeKey,
    sessionName: "ringagent",
    ...overrides,
  };
}

function sdpOf(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok);
  return r.sdp;
}

const origin = createLocalOrigin("42", "192.0.2.10");

describe("answerOffer", () => {
  test("RingCentral SDES offer: opus PT 111, telephone-event 101, SAVP with tag 1 and our fresh key", () => {
    const r = answerOffer({ offer: sdpOf(ringCentralSdesOffer), capabilities: caps(), origin });
    assert.ok(r.ok);
    assert.deepEqual(r.negotiated, {
      mediaIndex: 0,
      codec: {
        name: "OPUS",
        clockRateHz: 48000,
        channels: 2,
        payloadType: 111,
        fmtp: "useinbandfec=1;usedtx=0",
      },
      telephoneEventPayloadType: 101,
      telephoneEventClockRateHz: 8000,
      remoteRtp: { address: "199.255.120.176", port: 42898 },
      remoteRtcp: { address: "199.255.120.176", port: 42899 },
      rtcpMux: false,
      direction: "sendrecv",
      srtp: {
        suite: "AES_CM_128_HMAC_SHA1_80",
        tag: 1,
        remoteKeyParams: "inline:Jl6MySNYkuEig6tBMT/Ilf+Xh+15MIxLOdpCxEfG",
        localKeyParams: "inline:OUR-KEY-FOR-AES_CM_128_HMAC_SHA1_80",
      },
      ptimeMs: 20,
    });
    const text = serializeSdp(r.answer);
    assert.ok(text.includes("m=audio 40000 RTP/SAVP 111 101\r\n"), text);
    assert.ok(text.includes("a=rtpmap:111 OPUS/48000/2\r\n"));
    assert.ok(text.includes("a=rtpmap:101 telephone-event/8000\r\n"));
    assert.ok(
      text.includes("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:OUR-KEY-FOR-AES_CM_128_HMAC_SHA1_80\r\n"),
    );
    assert.ok(text.includes("c=IN IP4 192.0.2.10\r\n"));
    assert.ok(!text.includes("a=rtcp-mux"), "not offered, so not answered");
    // The answer parses back to the same model.
    assert.deepEqual(sdpOf(text), r.answer);
  });

  test("our preference decides: G.711-only config picks PCMU (PT 0) from the RingCentral offer", () => {
    const r = answerOffer({
      offer: sdpOf(ringCentralSdesOffer),
      capabilities: caps({ codecs: ["PCMA/8000", "PCMU/8000"] }),
      origin,
    });
    assert.ok(r.ok);
    assert.equal(r.negotiated.codec.payloadType, 8);
    assert.equal(r.negotiated.codec.name, "pcma");
  });

  test("only the 32-bit tag suite supported -> answers tag 2", () => {
    const r = answerOffer({
      offer: sdpOf(ringCentralSdesOffer),
      capabilities: caps({ cryptoSuites: ["AES_CM_128_HMAC_SHA1_32"] }),
      origin,
    });
    assert.ok(r.ok);
    assert.equal(r.negotiated.srtp?.tag, 2);
    assert.equal(r.negotiated.srtp?.remoteKeyParams, "inline:0s3r1/NKCnIySlImrKx58iLjwm1Dnv8pCLzY5wtA");
  });

  test("SRTP off and a SAVP-only offer -> 488 rejection with a reason", () => {
    const r = answerOffer({
      offer: sdpOf(ringCentralSdesOffer),
      capabilities: caps({ srtpPolicy: "off" }),
      origin,
    });
    assert.deepEqual(r, { ok: false, warningCode: 302, reason: "SRTP offered but disabled" });
  });

  test("WebRTC RTP/SAVPF without SDES crypto -> rejected (no supported crypto)", () => {
    const r = answerOffer({ offer: sdpOf(ringCentralWebRtcOffer), capabilities: caps(), origin });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === "no supported SRTP crypto suite");
  });

  test("baresip offer (bare LF): opus PT 96, rtcp-mux kept, video rejected with port 0", () => {
    const r = answerOffer({ offer: sdpOf(baresipOffer), capabilities: caps(), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.codec.payloadType, 96);
    assert.equal(r.negotiated.rtcpMux, true);
    assert.equal(r.negotiated.remoteRtcp, undefined);
    assert.equal(r.negotiated.srtp, undefined);
    assert.equal(r.answer.media.length, 2);
    assert.equal(r.answer.media[0]?.proto, "RTP/AVP");
    assert.equal(r.answer.media[1]?.port, 0);
    assert.equal(r.answer.media[1]?.media, "video");
    assert.ok(serializeSdp(r.answer).includes("m=video 0 RTP/AVP 97\r\n"));
  });

  test("SRTP mandatory and a plain offer -> SRTP required but not offered", () => {
    const r = answerOffer({
      offer: sdpOf(baresipOffer),
      capabilities: caps({ srtpPolicy: "mandatory" }),
      origin,
    });
    assert.deepEqual(r, { ok: false, warningCode: 302, reason: "SRTP required but not offered" });
  });

  test("no common codec -> 305", () => {
    const offer = sdpOf(
      "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n" +
        "m=audio 5000 RTP/AVP 18 3\r\na=rtpmap:18 G729/8000\r\n",
    );
    assert.deepEqual(answerOffer({ offer, capabilities: caps(), origin }), {
      ok: false,
      warningCode: 305,
      reason: "no common codec",
    });
  });

  test("no audio at all -> 304", () => {
    const offer = sdpOf(
      "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\nm=video 5000 RTP/AVP 97\r\n",
    );
    const r = answerOffer({ offer, capabilities: caps(), origin });
    assert.ok(!r.ok && r.warningCode === 304);
  });

  test("hold offers are mirrored: sendonly -> recvonly, inactive -> inactive, recvonly -> sendonly", () => {
    const base = sdpOf(baresipOffer);
    const cases = [
      ["sendonly", "recvonly"],
      ["inactive", "inactive"],
      ["recvonly", "sendonly"],
      ["sendrecv", "sendrecv"],
    ] as const;
    for (const [offered, expected] of cases) {
      const offer = withDirection(base, offered);
      const r = answerOffer({ offer, capabilities: caps(), origin });
      assert.ok(r.ok);
      assert.equal(r.negotiated.direction, expected, offered);
      assert.equal(r.answer.media[0]?.direction, expected);
    }
  });

  test("RFC 2543 hold (c=0.0.0.0) is answered recvonly", () => {
    const offer = sdpOf(
      "v=0\r\no=- 1 2 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
    );
    const r = answerOffer({ offer, capabilities: caps(), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.direction, "recvonly");
  });
});

describe("createOffer / processAnswer", () => {
  test("offer lists our codecs with static and dynamic PTs and crypto lines, mandatory -> SAVP", () => {
    const offer = createOffer({ capabilities: caps({ srtpPolicy: "mandatory" }), origin });
    const text = serializeSdp(offer);
    assert.ok(text.includes("m=audio 40000 RTP/SAVP 96 9 0 8 101 97\r\n"), text);
    assert.ok(text.includes("a=rtpmap:96 opus/48000/2\r\n"));
    // RFC 4733 2.1: telephone-event at 8000 (PT 101) and at opus's 48000 clock.
    assert.ok(text.includes("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"), text);
    assert.ok(text.includes("a=rtpmap:97 telephone-event/48000\r\na=fmtp:97 0-15\r\n"), text);
    assert.ok(
      text.includes("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:OUR-KEY-FOR-AES_CM_128_HMAC_SHA1_80\r\n"),
    );
    assert.ok(
      text.includes("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:OUR-KEY-FOR-AES_CM_128_HMAC_SHA1_32\r\n"),
    );
    assert.ok(text.includes("a=rtcp-mux\r\n"));
  });

  test("our offer answered by our own answerer negotiates the same thing from both sides", () => {
    const remoteCaps = caps({ address: "198.51.100.7", port: 50000, codecs: ["PCMU/8000", "G722/8000"] });
    const offer = createOffer({ capabilities: caps({ srtpPolicy: "mandatory" }), origin });
    const answered = answerOffer({
      offer: sdpOf(serializeSdp(offer)),
      capabilities: { ...remoteCaps, generateKeyParams: () => "inline:REMOTE" },
      origin: createLocalOrigin("7", "198.51.100.7"),
    });
    assert.ok(answered.ok);
    const r = processAnswer(offer, sdpOf(serializeSdp(answered.answer)), caps());
    assert.ok(r.ok);
    assert.equal(r.negotiated.codec.name, "PCMU");
    assert.equal(r.negotiated.codec.payloadType, 0);
    assert.equal(r.negotiated.telephoneEventPayloadType, 101);
    assert.equal(r.negotiated.telephoneEventClockRateHz, 8000);
    assert.deepEqual(r.negotiated.remoteRtp, { address: "198.51.100.7", port: 50000 });
    assert.equal(r.negotiated.rtcpMux, true);
    assert.deepEqual(r.negotiated.srtp, {
      suite: "AES_CM_128_HMAC_SHA1_80",
      tag: 1,
      remoteKeyParams: "inline:REMOTE",
      localKeyParams: "inline:OUR-KEY-FOR-AES_CM_128_HMAC_SHA1_80",
    });
  });

  test("answer that rejects audio or has no common codec is a typed rejection", () => {
    const offer = createOffer({ capabilities: caps({ srtpPolicy: "off" }), origin });
    const rejected = { ...offer, media: offer.media.map((m) => ({ ...m, port: 0 })) };
    assert.deepEqual(processAnswer(offer, rejected, caps()), {
      ok: false,
      warningCode: 304,
      reason: "audio rejected by the answer",
    });
    const g729 = { ...offer, media: offer.media.map((m) => ({ ...m, formats: ["18"], rtpMaps: [] })) };
    assert.ok(!processAnswer(offer, g729, caps()).ok);
  });

  test("hold/unhold re-offers bump o= version; unchanged description keeps it", () => {
    const offer = createOffer({ capabilities: caps(), origin });
    const hold = withDirection(offer, "sendonly");
    assert.equal(hold.origin.sessionVersion, 2n);
    assert.equal(hold.media[0]?.direction, "sendonly");
    const inactive = withDirection(hold, "inactive");
    assert.equal(inactive.origin.sessionVersion, 3n);
    const unhold = withDirection(inactive, "sendrecv");
    assert.equal(unhold.origin.sessionVersion, 4n);
    assert.equal(nextLocalDescription(unhold, { ...unhold }).origin.sessionVersion, 4n);
    assert.equal(withDirection(unhold, "sendrecv").origin.sessionVersion, 4n);
  });
});

describe("telephone-event clock rate (RFC 4733 2.1)", () => {
  /** A browser-style offer: telephone-event at both 48000 and 8000 (Chrome lists them so). */
  const dualRateOffer = [
    "v=0",
    "o=- 5 1 IN IP4 10.1.1.1",
    "s=-",
    "c=IN IP4 10.1.1.1",
    "t=0 0",
    "m=audio 5000 RTP/AVP 111 0 126 110",
    "a=rtpmap:111 opus/48000/2",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:126 telephone-event/8000",
    "a=rtpmap:110 telephone-event/48000",
    "",
  ].join("\r\n");

  test("RingCentral SDES offer (OPUS/48000/2, only telephone-event/8000): PT 101 at 8000 is recorded", () => {
    const r = answerOffer({ offer: sdpOf(ringCentralSdesOffer), capabilities: caps(), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.codec.clockRateHz, 48000);
    assert.equal(r.negotiated.telephoneEventPayloadType, 101);
    assert.equal(r.negotiated.telephoneEventClockRateHz, 8000);
    assert.ok(serializeSdp(r.answer).includes("a=rtpmap:101 telephone-event/8000\r\n"));
  });

  test("RingCentral WebRTC offer's m= line: opus 48000 or 16000 both get telephone-event 101 at 8000", () => {
    const m = sdpOf(ringCentralWebRtcOffer).media[0];
    assert.ok(m);
    assert.deepEqual(matchTelephoneEvent(m, 48000), { payloadType: 101, clockRateHz: 8000 });
    assert.deepEqual(matchTelephoneEvent(m, 16000), { payloadType: 101, clockRateHz: 8000 });
    assert.deepEqual(matchTelephoneEvent(sdpOf(ringCentralSdesOffer).media[0] ?? m, 48000), {
      payloadType: 101,
      clockRateHz: 8000,
    });
  });

  test("both rates offered: opus takes telephone-event/48000, PCMU takes telephone-event/8000", () => {
    const opus = answerOffer({
      offer: sdpOf(dualRateOffer),
      capabilities: caps({ srtpPolicy: "off" }),
      origin,
    });
    assert.ok(opus.ok);
    assert.equal(opus.negotiated.codec.payloadType, 111);
    assert.equal(opus.negotiated.telephoneEventPayloadType, 110);
    assert.equal(opus.negotiated.telephoneEventClockRateHz, 48000);
    const opusText = serializeSdp(opus.answer);
    assert.ok(opusText.includes("m=audio 40000 RTP/AVP 111 110\r\n"), opusText);
    assert.ok(opusText.includes("a=rtpmap:110 telephone-event/48000\r\n"), opusText);

    const pcmu = answerOffer({
      offer: sdpOf(dualRateOffer),
      capabilities: caps({ srtpPolicy: "off", codecs: ["PCMU/8000"] }),
      origin,
    });
    assert.ok(pcmu.ok);
    assert.equal(pcmu.negotiated.telephoneEventPayloadType, 126);
    assert.equal(pcmu.negotiated.telephoneEventClockRateHz, 8000);
    assert.ok(serializeSdp(pcmu.answer).includes("m=audio 40000 RTP/AVP 0 126\r\n"));
  });

  test("PCMU + telephone-event/8000 offer; none when we disable telephone-event", () => {
    const offer = sdpOf(
      "v=0\r\no=- 1 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n" +
        "m=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n",
    );
    const r = answerOffer({ offer, capabilities: caps({ srtpPolicy: "off" }), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.codec.name, "PCMU");
    assert.equal(r.negotiated.telephoneEventPayloadType, 101);
    assert.equal(r.negotiated.telephoneEventClockRateHz, 8000);
    const off = answerOffer({
      offer,
      capabilities: caps({ srtpPolicy: "off", telephoneEvent: false }),
      origin,
    });
    assert.ok(off.ok);
    assert.equal(off.negotiated.telephoneEventPayloadType, undefined);
    assert.equal(off.negotiated.telephoneEventClockRateHz, undefined);
    assert.ok(serializeSdp(off.answer).includes("m=audio 40000 RTP/AVP 0\r\n"));
  });

  test("processAnswer records the answered telephone-event rate; a PT we never offered is ignored", () => {
    const offer = createOffer({ capabilities: caps({ srtpPolicy: "off" }), origin });
    const answerWith = (formats: string, lines: string[]): SessionDescription =>
      sdpOf(
        [
          "v=0",
          "o=- 9 1 IN IP4 10.2.2.2",
          "s=-",
          "c=IN IP4 10.2.2.2",
          "t=0 0",
          `m=audio 6000 RTP/AVP ${formats}`,
          "a=rtpmap:96 opus/48000/2",
          ...lines,
          "a=rtcp-mux",
          "",
        ].join("\r\n"),
      );
    const wide = processAnswer(
      offer,
      answerWith("96 97 101", ["a=rtpmap:97 telephone-event/48000", "a=rtpmap:101 telephone-event/8000"]),
      caps(),
    );
    assert.ok(wide.ok);
    assert.equal(wide.negotiated.telephoneEventPayloadType, 97);
    assert.equal(wide.negotiated.telephoneEventClockRateHz, 48000);
    const narrow = processAnswer(offer, answerWith("96 101", ["a=rtpmap:101 telephone-event/8000"]), caps());
    assert.ok(narrow.ok);
    assert.equal(narrow.negotiated.telephoneEventPayloadType, 101);
    assert.equal(narrow.negotiated.telephoneEventClockRateHz, 8000);
    const foreign = processAnswer(
      offer,
      answerWith("96 120", ["a=rtpmap:120 telephone-event/48000"]),
      caps(),
    );
    assert.ok(foreign.ok);
    assert.equal(foreign.negotiated.telephoneEventPayloadType, undefined);
  });
});

describe("comfort noise (RFC 3389) in offer/answer", () => {
  const offerWith = (formats: string, lines: string[]): SessionDescription =>
    sdpOf(
      [
        "v=0",
        "o=- 3 1 IN IP4 10.1.1.1",
        "s=-",
        "c=IN IP4 10.1.1.1",
        "t=0 0",
        `m=audio 5000 RTP/AVP ${formats}`,
        ...lines,
        "",
      ].join("\r\n"),
    );

  test("PCMU + CN (static 13, no rtpmap) + telephone-event: CN is answered and recorded", () => {
    const offer = offerWith("0 13 101", ["a=rtpmap:101 telephone-event/8000"]);
    const r = answerOffer({ offer, capabilities: caps({ srtpPolicy: "off" }), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.comfortNoisePayloadType, 13);
    const text = serializeSdp(r.answer);
    assert.ok(text.includes("m=audio 40000 RTP/AVP 0 101 13\r\n"), text);
    assert.ok(text.includes("a=rtpmap:13 CN/8000\r\n"), text);
  });

  test("G.722 (RTP clock 8000) takes CN/8000; opus (48000) does not take CN/8000", () => {
    const offer = offerWith("96 9 13", ["a=rtpmap:96 opus/48000/2"]);
    const opus = answerOffer({ offer, capabilities: caps({ srtpPolicy: "off" }), origin });
    assert.ok(opus.ok);
    assert.equal(opus.negotiated.codec.payloadType, 96);
    assert.equal(opus.negotiated.comfortNoisePayloadType, undefined);
    assert.ok(serializeSdp(opus.answer).includes("m=audio 40000 RTP/AVP 96\r\n"));
    assert.ok(!serializeSdp(opus.answer).includes("CN/"));
    const g722 = answerOffer({
      offer,
      capabilities: caps({ srtpPolicy: "off", codecs: ["G722/8000"] }),
      origin,
    });
    assert.ok(g722.ok);
    assert.equal(g722.negotiated.comfortNoisePayloadType, 13);
  });

  test("a dynamic CN payload type at the codec's rate is answered with its own number", () => {
    const offer = offerWith("0 98", ["a=rtpmap:98 CN/8000"]);
    const r = answerOffer({ offer, capabilities: caps({ srtpPolicy: "off" }), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.comfortNoisePayloadType, 98);
    assert.ok(serializeSdp(r.answer).includes("m=audio 40000 RTP/AVP 0 98\r\n"));
  });

  test("no CN offered: none answered; processAnswer records CN only when our offer had it", () => {
    const offer = offerWith("0", []);
    const r = answerOffer({ offer, capabilities: caps({ srtpPolicy: "off" }), origin });
    assert.ok(r.ok);
    assert.equal(r.negotiated.comfortNoisePayloadType, undefined);
    assert.ok(serializeSdp(r.answer).includes("m=audio 40000 RTP/AVP 0\r\n"));

    const ours = createOffer({ capabilities: caps({ srtpPolicy: "off", codecs: ["PCMU/8000"] }), origin });
    const answer = (formats: string): SessionDescription =>
      sdpOf(
        `v=0\r\no=- 4 1 IN IP4 10.2.2.2\r\ns=-\r\nc=IN IP4 10.2.2.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP ${formats}\r\n`,
      );
    const processed = processAnswer(ours, answer("0 13"), caps());
    assert.ok(processed.ok);
    assert.equal(processed.negotiated.comfortNoisePayloadType, undefined, "we did not offer CN");
    const withCn = { ...ours, media: ours.media.map((m) => ({ ...m, formats: [...m.formats, "13"] })) };
    const processedCn = processAnswer(withCn, answer("0 13"), caps());
    assert.ok(processedCn.ok);
    assert.equal(processedCn.negotiated.comfortNoisePayloadType, 13);
  });
});
