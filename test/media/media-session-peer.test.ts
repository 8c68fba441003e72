/**
 * One MediaSession against raw UDP sockets on 127.0.0.1 that play the peer byte by byte: barge-in
 * flush on the wire, symmetric RTP latching (SRTP-authenticated only), garbage input dropped and
 * counted, and re-INVITE changes (hold, new address, new codec) with continuous timestamps.
 */
import assert from "node:assert/strict";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import {
  formatInlineKeyParams,
  generateSrtpMasterKey,
  MediaSession,
  type NegotiatedMedia,
  parseRtpPacket,
  type RtpPacket,
  type RtpPortAllocator,
  SrtpSession,
  serializeRtpPacket,
} from "../../src/media/index.js";
import { delay, runtimePortAllocator, speechLikeFrames, waitFor } from "./media-test-helpers.js";

interface Arrival {
  readonly atMs: number;
  readonly packet: RtpPacket;
  readonly from: RemoteInfo;
}

class RawPeer {
  readonly socket: Socket;
  readonly arrivals: Arrival[] = [];
  srtp: SrtpSession | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("message", (msg, from) => {
      let plain: Uint8Array = msg;
      if (this.srtp !== undefined) {
        const r = this.srtp.unprotectRtp(msg);
        if (!r.ok) return;
        plain = r.packet;
      }
      const parsed = parseRtpPacket(Uint8Array.from(plain));
      if (parsed.ok && (msg[1] ?? 0) < 192)
        this.arrivals.push({ atMs: performance.now(), packet: parsed.packet, from });
    });
  }

  static async open(): Promise<RawPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new RawPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve) => this.socket.send(data, port, "127.0.0.1", () => resolve()));
  }

  close(): void {
    this.socket.close();
  }
}

function negotiated(peerPort: number, overrides: Partial<NegotiatedMedia> = {}): NegotiatedMedia {
  return {
    mediaIndex: 0,
    codec: { name: "PCMU", clockRateHz: 8000, channels: 1, payloadType: 0 },
    telephoneEventPayloadType: 101,
    remoteRtp: { address: "127.0.0.1", port: peerPort },
    rtcpMux: true,
    direction: "sendrecv",
    ptimeMs: 20,
    ...overrides,
  };
}

/** PCMU silence (0xFF) vs anything else. */
function isVoice(a: Arrival): boolean {
  return a.packet.payloadType === 0 && a.packet.payload.some((b) => b !== 0xff);
}

function rtp(
  seq: number,
  ssrc: number,
  payloadType = 0,
  payload = new Uint8Array(160).fill(0x55),
): Uint8Array {
  return serializeRtpPacket({
    marker: false,
    payloadType,
    sequenceNumber: seq & 0xffff,
    timestamp: seq * 160,
    ssrc,
    csrcs: [],
    payload,
    paddingBytes: 0,
  });
}

describe("media session against a raw peer", { timeout: 60_000 }, () => {
  let allocator: RtpPortAllocator;
  const cleanup: { close(): void }[] = [];

  before(async () => {
    allocator = await runtimePortAllocator();
  });

  after(async () => {
    for (const c of cleanup) c.close();
    await waitFor(() => allocator.inUse === 0, 2000, "ports released");
  });

  async function open(): Promise<{ session: MediaSession; peer: RawPeer }> {
    const session = await MediaSession.open({ allocator, address: "127.0.0.1" }, { rtcpIntervalMs: 0 });
    const peer = await RawPeer.open();
    cleanup.push(session, peer);
    return { session, peer };
  }

  test("flush() stops agent audio on the wire at once; playout position = voice actually sent", async () => {
    const { session, peer } = await open();
    session.configure(negotiated(peer.port));
    const handle = session.play(speechLikeFrames(3, 16000));
    assert.equal(await handle.started, true);
    await waitFor(() => peer.arrivals.filter(isVoice).length >= 15, 3000, "15 voice packets");
    const flushed = session.flush();
    const voiceAtFlush = peer.arrivals.filter(isVoice).length;
    const result = await handle.finished;
    await delay(150);
    const voice = peer.arrivals.filter(isVoice);
    assert.equal(result.reason, "flushed");
    assert.equal(flushed.utteranceId, handle.id);
    assert.equal(flushed.playoutMs, result.playoutMs);
    // Every voice packet sent is counted in the playout position, and none is sent after flush()
    // (at most one was still in flight in the socket when flush() ran).
    assert.equal(voice.length * 20, result.playoutMs);
    assert.ok(voice.length - voiceAtFlush <= 1, `${voice.length - voiceAtFlush} voice packets after flush`);
    assert.ok(peer.arrivals.length > voice.length, "silence continues after the flush");
    const afterFlush = peer.arrivals.slice(
      peer.arrivals.indexOf(voice.at(-1) ?? (peer.arrivals[0] as Arrival)) + 1,
    );
    assert.ok(afterFlush.every((a) => !isVoice(a)));
    // Marker at talkspurt start only; sequence and timestamps continuous (20 ms = 160 units).
    const first = voice[0] as Arrival;
    assert.equal(first.packet.marker, true);
    assert.ok(voice.slice(1).every((a) => !a.packet.marker));
    for (let i = 1; i < peer.arrivals.length; i++) {
      const prev = (peer.arrivals[i - 1] as Arrival).packet;
      const cur = (peer.arrivals[i] as Arrival).packet;
      assert.equal((cur.sequenceNumber - prev.sequenceNumber) & 0xffff, 1);
      assert.equal(((cur.timestamp - prev.timestamp) >>> 0) % 160, 0);
    }
  });

  test("latching: sends to the source of authenticated packets only; ignores 'hello' and forgeries", async () => {
    const { session, peer: sdpPeer } = await open();
    const ourKey = generateSrtpMasterKey();
    const peerKey = generateSrtpMasterKey();
    const nat = await RawPeer.open(); // where the peer's packets really come from
    const attacker = await RawPeer.open();
    cleanup.push(nat, attacker);
    for (const p of [sdpPeer, nat, attacker]) {
      p.srtp = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...ourKey });
    }
    session.configure(
      negotiated(sdpPeer.port, {
        srtp: {
          suite: "AES_CM_128_HMAC_SHA1_80",
          tag: 1,
          localKeyParams: formatInlineKeyParams(ourKey),
          remoteKeyParams: formatInlineKeyParams(peerKey),
        },
      }),
    );
    await waitFor(() => sdpPeer.arrivals.length >= 3, 2000, "packets at the SDP address");
    const peerSrtp = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...peerKey });
    const protect = (seq: number): Uint8Array => {
      const r = peerSrtp.protectRtp(rtp(seq, 0x1234));
      assert.ok(r.ok);
      return r.packet;
    };
    await attacker.send(new TextEncoder().encode("hello"), session.localPort);
    const forger = new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...generateSrtpMasterKey() });
    const forged = forger.protectRtp(rtp(1, 0x1234));
    assert.ok(forged.ok);
    await attacker.send(forged.packet, session.localPort);
    await delay(100);
    assert.equal(session.stats().notRtp, 1);
    assert.equal(session.stats().srtpAuthFailures, 1);
    assert.equal(session.stats().latchChanges, 0);
    assert.equal(session.remoteEndpoint?.port, sdpPeer.port);

    for (let seq = 10; seq < 13; seq++) await nat.send(protect(seq), session.localPort);
    await waitFor(() => nat.arrivals.length >= 3, 2000, "packets at the latched source");
    assert.equal(session.remoteEndpoint?.port, nat.port);
    assert.equal(session.stats().latchChanges, 1);
    const atSdp = sdpPeer.arrivals.length;
    await delay(100);
    assert.ok(sdpPeer.arrivals.length <= atSdp + 1, "no more packets to the SDP address");
    // Replays of genuine packets sent from elsewhere are refused and do not move the latch.
    const replay = protect(13);
    await nat.send(replay, session.localPort);
    await attacker.send(replay, session.localPort);
    await attacker.send(replay, session.localPort);
    await delay(100);
    assert.equal(session.remoteEndpoint?.port, nat.port);
    assert.equal(session.stats().srtpReplays, 2);
    // The peer's NAT binding changes: its next genuine packet comes from a new port, and we follow.
    await attacker.send(protect(14), session.localPort);
    await waitFor(() => session.remoteEndpoint?.port === attacker.port, 1000, "re-latch");
    assert.equal(session.stats().latchChanges, 2);
  });

  test("garbage datagrams are dropped and counted, and the session keeps working", async () => {
    const { session, peer } = await open();
    session.configure(negotiated(peer.port));
    const inputs: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x80]),
      new Uint8Array(11).fill(0x80),
      new Uint8Array(3000).fill(0x80), // oversized
      new Uint8Array([0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), // version 1
      rtp(1, 77, 96), // unknown payload type
      new Uint8Array([0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]), // 15 CSRCs that are not there
    ];
    for (let i = 0; i < 300; i++) {
      const len = 1 + Math.floor(Math.random() * 200);
      const junk = new Uint8Array(len).map(() => Math.floor(Math.random() * 256));
      if (i % 2 === 0) junk[0] = 0x80 | ((junk[0] ?? 0) & 0x3f);
      inputs.push(junk);
    }
    for (const input of inputs) await peer.send(input, session.localPort);
    // Random bytes can form valid RTP with a random SSRC: let that source go quiet (300 ms) first.
    await delay(350);
    await peer.send(rtp(100, 0x42), session.localPort);
    await peer.send(rtp(101, 0x43), session.localPort); // another SSRC while the first is active
    await delay(100);
    const s = session.stats();
    assert.equal(s.oversized, 1);
    assert.ok(s.notRtp >= 2);
    assert.ok(s.malformed + s.wrongPayloadType + s.wrongSsrc + s.rtcpMalformed > 3);
    assert.ok(s.packetsReceived >= 1, "the valid packet was still taken");
    assert.equal(s.wrongSsrc >= 1, true);
  });

  test("re-INVITE: hold stops sending, resume keeps SSRC and timestamps, new address and codec apply", async () => {
    const { session, peer } = await open();
    const moved = await RawPeer.open();
    cleanup.push(moved);
    session.configure(negotiated(peer.port));
    await waitFor(() => peer.arrivals.length >= 5, 2000, "media");
    session.configure(negotiated(peer.port, { direction: "recvonly" }));
    const onHold = peer.arrivals.length;
    await delay(200);
    assert.ok(peer.arrivals.length <= onHold + 1, "nothing sent while we must not send");
    const beforeHold = peer.arrivals.at(-1) as Arrival;
    session.configure(negotiated(peer.port));
    await waitFor(() => peer.arrivals.length >= onHold + 3, 2000, "media after resume");
    const resumed = peer.arrivals.at(-1) as Arrival;
    assert.equal(resumed.packet.ssrc, beforeHold.packet.ssrc);
    const elapsedUnits = (resumed.packet.timestamp - beforeHold.packet.timestamp) >>> 0;
    const elapsedMs = resumed.atMs - beforeHold.atMs;
    assert.ok(
      Math.abs(elapsedUnits / 8 - elapsedMs) < 60,
      `timestamps follow time (${elapsedUnits / 8} vs ${elapsedMs} ms)`,
    );
    session.configure(
      negotiated(moved.port, { codec: { name: "PCMA", clockRateHz: 8000, channels: 1, payloadType: 8 } }),
    );
    await waitFor(() => moved.arrivals.length >= 3, 2000, "media at the new address");
    assert.ok(
      moved.arrivals.every((a) => a.packet.payloadType === 8 && a.packet.ssrc === beforeHold.packet.ssrc),
    );
    assert.ok(session.inboundIdleMs() >= 0);
  });

  test("inbound idle time (media timeout input) grows without packets and resets on a packet", async () => {
    const { session, peer } = await open();
    session.configure(negotiated(peer.port));
    await delay(120);
    assert.ok(session.inboundIdleMs() >= 100);
    await peer.send(rtp(5, 9), session.localPort);
    await waitFor(() => session.stats().packetsReceived === 1, 1000, "one packet");
    assert.ok(session.inboundIdleMs() < 100);
  });
});
