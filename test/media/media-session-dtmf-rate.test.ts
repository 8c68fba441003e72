/**
 * RFC 4733 event durations in the negotiated telephone-event clock, end to end: an offer is answered
 * by answerOffer, the MediaSession is configured with the result, and a raw UDP peer on 127.0.0.1
 * reads our DTMF packets and sends its own. Covers a browser-style offer (opus + telephone-event at
 * 48000 and 8000, so 48 kHz units) and RingCentral's real SDES offer (OPUS/48000/2 with only
 * telephone-event/8000, so 8 kHz units although the audio clock is 48 kHz).
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import {
  answerOffer,
  createLocalOrigin,
  type DtmfDigitEvent,
  decodeTelephoneEvent,
  encodeTelephoneEvent,
  formatInlineKeyParams,
  generateSrtpMasterKey,
  isRtcpPacket,
  type MediaCapabilities,
  MediaSession,
  type NegotiatedMedia,
  parseInlineKeyParams,
  parseRtpPacket,
  parseSdp,
  type RtpPacket,
  type RtpPortAllocator,
  SrtpSession,
  serializeRtpPacket,
} from "../../src/media/index.js";
import { ringCentralSdesOffer } from "../../src/media/sdp/sdp-test-fixtures.js";
import { runtimePortAllocator, waitFor } from "./media-test-helpers.js";

class DtmfPeer {
  readonly packets: RtpPacket[] = [];
  /** Unprotects what the session sends (the session's key). */
  receiveSrtp: SrtpSession | undefined;
  /** Protects what the peer sends (the key the peer put in its offer). */
  sendSrtp: SrtpSession | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("message", (msg) => {
      let plain: Uint8Array = msg;
      if (this.receiveSrtp !== undefined) {
        const r = this.receiveSrtp.unprotectRtp(msg);
        if (!r.ok) return;
        plain = r.packet;
      }
      const parsed = parseRtpPacket(Uint8Array.from(plain));
      if (parsed.ok && !isRtcpPacket(plain)) this.packets.push(parsed.packet);
    });
  }

  static async open(): Promise<DtmfPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new DtmfPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  async sendEvent(port: number, seq: number, pt: number, timestamp: number, duration: number, end: boolean) {
    let wire: Uint8Array = serializeRtpPacket({
      marker: seq === 1,
      payloadType: pt,
      sequenceNumber: seq,
      timestamp,
      ssrc: 0x5151,
      csrcs: [],
      payload: encodeTelephoneEvent({ event: 5, end, volume: 10, duration }),
      paddingBytes: 0,
    });
    if (this.sendSrtp !== undefined) {
      const r = this.sendSrtp.protectRtp(wire);
      assert.ok(r.ok);
      wire = r.packet;
    }
    await new Promise<void>((resolve) => this.socket.send(wire, port, "127.0.0.1", () => resolve()));
  }

  close(): void {
    this.socket.close();
  }
}

function caps(port: number, srtp: boolean): MediaCapabilities {
  return {
    codecs: ["opus/48000/2", "PCMU/8000"],
    telephoneEvent: true,
    cryptoSuites: ["AES_CM_128_HMAC_SHA1_80"],
    srtpPolicy: srtp ? "mandatory" : "off",
    address: "127.0.0.1",
    port,
    ptimeMs: 20,
    rtcpMux: true,
    generateKeyParams: (suite) => formatInlineKeyParams(generateSrtpMasterKey(suite)),
  };
}

/** The offer text with its address and port pointed at the raw peer. */
function offerAt(text: string, port: number): string {
  return text
    .split("\r\n")
    .map((line) => {
      if (line.startsWith("c=")) return "c=IN IP4 127.0.0.1";
      if (line.startsWith("m=audio ")) return `m=audio ${port} ${line.split(" ").slice(2).join(" ")}`;
      return line;
    })
    .join("\r\n");
}

function answer(text: string, localPort: number, srtp: boolean): NegotiatedMedia {
  const parsed = parseSdp(text);
  assert.ok(parsed.ok);
  const r = answerOffer({
    offer: parsed.sdp,
    capabilities: caps(localPort, srtp),
    origin: createLocalOrigin("1", "127.0.0.1"),
  });
  assert.ok(r.ok, r.ok ? "" : r.reason);
  return r.negotiated;
}

function sessionKey(negotiated: NegotiatedMedia, which: "localKeyParams" | "remoteKeyParams"): SrtpSession {
  const params = negotiated.srtp?.[which];
  assert.ok(params !== undefined);
  const key = parseInlineKeyParams(params, "AES_CM_128_HMAC_SHA1_80");
  assert.ok(key.ok);
  return new SrtpSession({
    suite: "AES_CM_128_HMAC_SHA1_80",
    masterKey: key.key.masterKey,
    masterSalt: key.key.masterSalt,
  });
}

const browserOffer = [
  "v=0",
  "o=- 5 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 9 RTP/AVP 111 0 126 110",
  "a=rtpmap:111 opus/48000/2",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:126 telephone-event/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtcp-mux",
  "",
].join("\r\n");

describe("DTMF in the negotiated telephone-event clock", { timeout: 30_000 }, () => {
  let allocator: RtpPortAllocator;
  const cleanup: { close(): void }[] = [];

  before(async () => {
    allocator = await runtimePortAllocator();
  });

  after(async () => {
    for (const c of cleanup) c.close();
    await waitFor(() => allocator.inUse === 0, 2000, "ports released");
  });

  async function open(): Promise<{ session: MediaSession; peer: DtmfPeer }> {
    const session = await MediaSession.open({ allocator, address: "127.0.0.1" }, { rtcpIntervalMs: 0 });
    const peer = await DtmfPeer.open();
    cleanup.push(session, peer);
    return { session, peer };
  }

  async function sendAndCollect(session: MediaSession, peer: DtmfPeer, pt: number): Promise<RtpPacket[]> {
    await waitFor(() => peer.packets.length >= 3, 2000, "audio before the digit");
    assert.equal(await session.sendDigit("5", 100), true);
    await waitFor(
      () => peer.packets.filter((p) => p.payloadType === pt).length >= 7,
      2000,
      "the digit's packets",
    );
    return peer.packets.filter((p) => p.payloadType === pt);
  }

  test("opus with telephone-event/48000 offered: durations in 48 kHz units both ways", async () => {
    const { session, peer } = await open();
    const negotiated = answer(offerAt(browserOffer, peer.port), session.localPort, false);
    assert.equal(negotiated.codec.clockRateHz, 48000);
    assert.equal(negotiated.telephoneEventPayloadType, 110);
    assert.equal(negotiated.telephoneEventClockRateHz, 48000);
    session.configure(negotiated);

    const events = await sendAndCollect(session, peer, 110);
    const decoded = events.map((p) => decodeTelephoneEvent(p.payload));
    // 100 ms: updates at 20, 40, 60, 80 ms, then the end packet three times, all in 48 kHz units.
    assert.deepEqual(
      decoded.map((e) => e?.duration),
      [960, 1920, 2880, 3840, 4800, 4800, 4800],
    );
    assert.deepEqual(
      decoded.map((e) => e?.end),
      [false, false, false, false, true, true, true],
    );
    assert.ok(events.every((p) => p.timestamp === events[0]?.timestamp && p.ssrc === events[0]?.ssrc));
    // The event's timestamp is on the audio's 48 kHz timeline (20 ms = 960 units per tick).
    const audio = peer.packets.filter((p) => p.payloadType === 111);
    const before = audio.filter((p) => p.sequenceNumber < (events[0]?.sequenceNumber ?? 0)).at(-1);
    assert.ok(before !== undefined && events[0] !== undefined);
    assert.equal(((events[0].timestamp - before.timestamp) >>> 0) % 960, 0);

    const digits: DtmfDigitEvent[] = [];
    session.on("dtmf", (d) => digits.push(d));
    for (let i = 1; i <= 4; i++) await peer.sendEvent(session.localPort, i, 110, 96_000, i * 960, false);
    for (let i = 5; i <= 7; i++) await peer.sendEvent(session.localPort, i, 110, 96_000, 4800, true);
    await waitFor(() => digits.length === 1, 2000, "the peer's digit");
    assert.equal(digits[0]?.digit, "5");
    assert.equal(digits[0]?.durationMs, 100);
  });

  test("RingCentral's SDES offer (OPUS/48000/2, telephone-event/8000): durations in 8 kHz units", async () => {
    const { session, peer } = await open();
    const negotiated = answer(offerAt(ringCentralSdesOffer, peer.port), session.localPort, true);
    assert.equal(negotiated.codec.clockRateHz, 48000);
    assert.equal(negotiated.telephoneEventPayloadType, 101);
    assert.equal(negotiated.telephoneEventClockRateHz, 8000);
    peer.receiveSrtp = sessionKey(negotiated, "localKeyParams");
    peer.sendSrtp = sessionKey(negotiated, "remoteKeyParams");
    session.configure(negotiated);

    const events = await sendAndCollect(session, peer, 101);
    assert.deepEqual(
      events.map((p) => decodeTelephoneEvent(p.payload)?.duration),
      [160, 320, 480, 640, 800, 800, 800],
    );

    const digits: DtmfDigitEvent[] = [];
    session.on("dtmf", (d) => digits.push(d));
    // 240 ms at 8 kHz = 1920 units (read as 48 kHz units it would be 40 ms).
    await peer.sendEvent(session.localPort, 1, 101, 48_000, 960, false);
    for (let i = 2; i <= 4; i++) await peer.sendEvent(session.localPort, i, 101, 48_000, 1920, true);
    await waitFor(() => digits.length === 1, 2000, "the peer's digit");
    assert.equal(digits[0]?.durationMs, 240);
  });
});
