/**
 * Symmetric RTP latching without SRTP, on 127.0.0.1 with raw UDP peers: a third party that knows the
 * SSRC and the sequence numbers cannot pull our stream away from a live peer; a peer whose NAT binding
 * moves is followed once its old port went quiet; a re-INVITE to a new address latches at once.
 * (SRTP latching, where one authenticated packet moves the latch, is in media-session-peer.test.ts.)
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import {
  MediaSession,
  type NegotiatedMedia,
  parseRtpPacket,
  type RtpPortAllocator,
  serializeRtcpCompound,
  serializeRtpPacket,
} from "../../src/media/index.js";
import { delay, runtimePortAllocator, waitFor } from "./media-test-helpers.js";

class Peer {
  received = 0;

  private constructor(readonly socket: Socket) {
    socket.on("message", (msg) => {
      if (parseRtpPacket(Uint8Array.from(msg)).ok) this.received++;
    });
  }

  /** `address`: another loopback address (127.0.0.2) stands for another host. */
  static async open(address = "127.0.0.1"): Promise<Peer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    return new Peer(socket);
  }

  /** A plain RTCP RR + BYE for `ssrc` (RFC 3550 6.6), as the peer would send at hang-up. */
  sendBye(port: number, ssrc: number): Promise<void> {
    const compound = serializeRtcpCompound([
      { kind: "rr", ssrc, reports: [] },
      { kind: "bye", ssrcs: [ssrc] },
    ]);
    return new Promise((resolve) => this.socket.send(compound, port, "127.0.0.1", () => resolve()));
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(port: number, seq: number, ssrc: number): Promise<void> {
    const packet = serializeRtpPacket({
      marker: false,
      payloadType: 0,
      sequenceNumber: seq & 0xffff,
      timestamp: (seq * 160) >>> 0,
      ssrc,
      csrcs: [],
      payload: new Uint8Array(160).fill(0x55),
      paddingBytes: 0,
    });
    return new Promise((resolve) => this.socket.send(packet, port, "127.0.0.1", () => resolve()));
  }

  close(): void {
    this.socket.close();
  }
}

function plainPcmu(peerPort: number): NegotiatedMedia {
  return {
    mediaIndex: 0,
    codec: { name: "PCMU", clockRateHz: 8000, channels: 1, payloadType: 0 },
    remoteRtp: { address: "127.0.0.1", port: peerPort },
    rtcpMux: true,
    direction: "sendrecv",
    ptimeMs: 20,
  };
}

const ssrc = 0x2468;

describe("plain RTP latching", { timeout: 30_000 }, () => {
  let allocator: RtpPortAllocator;
  const cleanup: { close(): void }[] = [];

  before(async () => {
    allocator = await runtimePortAllocator();
  });

  after(async () => {
    for (const c of cleanup) c.close();
    await waitFor(() => allocator.inUse === 0, 2000, "ports released");
  });

  async function peers(n: number): Promise<Peer[]> {
    const out: Peer[] = [];
    for (let i = 0; i < n; i++) out.push(await Peer.open());
    cleanup.push(...out);
    return out;
  }

  async function session(): Promise<MediaSession> {
    const s = await MediaSession.open({ allocator, address: "127.0.0.1" }, { rtcpIntervalMs: 0 });
    cleanup.push(s);
    return s;
  }

  test("an injector with the SSRC and next sequence numbers cannot hijack a live stream; counted", async () => {
    const s = await session();
    const [sdp, nat, attacker] = await peers(3);
    assert.ok(sdp && nat && attacker);
    s.configure(plainPcmu(sdp.port));
    let seq = 1000;
    await nat.send(s.localPort, seq++, ssrc);
    await waitFor(() => s.remoteEndpoint?.port === nat.port, 1000, "latched to the first source");
    // 40 rounds: the live peer sends, the injector sends the next numbers ahead of it.
    for (let i = 0; i < 40; i++) {
      await nat.send(s.localPort, seq, ssrc);
      await attacker.send(s.localPort, seq + 1, ssrc);
      seq++;
      await delay(5);
    }
    await delay(100);
    assert.equal(s.remoteEndpoint?.port, nat.port);
    assert.equal(s.stats().latchChanges, 1);
    assert.equal(s.stats().latchRejected, 40);
    assert.equal(attacker.received, 0, "nothing was sent to the injector");
    assert.equal(s.stats().packetsReceived, 41, "only the live peer's packets were taken");
  });

  test("plain RTCP BYE: refused from another host (counted), taken from the host we play", async () => {
    const s = await session();
    const [live] = await peers(1);
    assert.ok(live);
    const stranger = await Peer.open("127.0.0.2");
    cleanup.push(stranger);
    s.configure(plainPcmu(live.port));
    let byes = 0;
    s.on("remoteBye", () => byes++);
    let seq = 500;
    for (let i = 0; i < 3; i++) await live.send(s.localPort, seq++, ssrc);
    await waitFor(() => s.remoteEndpoint?.port === live.port, 1000, "latched");
    const rejectedBefore = s.stats().latchRejected;
    await stranger.sendBye(s.localPort, ssrc);
    await waitFor(() => s.stats().latchRejected === rejectedBefore + 1, 1000, "the stranger's BYE counted");
    assert.equal(byes, 0, "a BYE from another host does not end the stream");
    await live.sendBye(s.localPort, ssrc);
    await waitFor(() => byes === 1, 1000, "the live peer's BYE is taken");
  });

  test("NAT rebinding: the stream continues from a new port and is followed after the old went quiet", async () => {
    const s = await session();
    const [sdp, nat, rebound] = await peers(3);
    assert.ok(sdp && nat && rebound);
    s.configure(plainPcmu(sdp.port));
    let seq = 65_530; // wraps through 0 on the way
    for (let i = 0; i < 5; i++) await nat.send(s.localPort, seq++, ssrc);
    await waitFor(() => s.remoteEndpoint?.port === nat.port, 1000, "latched");
    // Bounded: at most 2 s of packets every 20 ms from the new port.
    for (let i = 0; i < 100 && s.remoteEndpoint?.port !== rebound.port; i++) {
      await rebound.send(s.localPort, seq++, ssrc);
      await delay(20);
    }
    assert.equal(s.remoteEndpoint?.port, rebound.port);
    assert.equal(s.stats().latchChanges, 2);
    assert.ok(s.stats().latchRejected >= 3, `${s.stats().latchRejected} dropped while the switch was proven`);
    await waitFor(() => rebound.received >= 3, 1000, "our packets at the new port");
  });

  test("re-INVITE to a new address: its source latches at once, even with a new SSRC", async () => {
    const s = await session();
    const [sdp, moved] = await peers(2);
    assert.ok(sdp && moved);
    s.configure(plainPcmu(sdp.port));
    for (let seq = 1; seq <= 5; seq++) await sdp.send(s.localPort, seq, ssrc);
    await waitFor(() => s.stats().packetsReceived === 5, 1000, "the first stream");
    s.configure(plainPcmu(moved.port));
    // A straggler from the old address arrives first; the announced address still takes over at once.
    await sdp.send(s.localPort, 6, ssrc);
    await moved.send(s.localPort, 500, 0x1357);
    await waitFor(() => s.stats().packetsReceived === 7, 1000, "both packets taken");
    assert.equal(s.remoteEndpoint?.port, moved.port);
    await sdp.send(s.localPort, 7, ssrc);
    await delay(50);
    assert.equal(s.stats().latchRejected, 1, "the old address is refused afterwards");
    assert.equal(s.remoteEndpoint?.port, moved.port);
  });
});
