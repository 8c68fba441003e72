/**
 * SRTP/SRTCP protect and unprotect (RFC 3711 3.3, 3.4) for one master key in one direction,
 * with a crypto context per SSRC (ROC, replay list, SRTCP index). Create one session with our
 * key for outbound packets and one with the peer's key for inbound packets.
 *
 * Never throws on packet input: bad packets return a typed failure and are counted.
 */
import { rtpHeaderLength } from "../rtp/rtp-packet.js";
import { type SrtpCryptoSuite, srtpSuites } from "./srtp-crypto-suite.js";
import { RolloverState } from "./srtp-index.js";
import { deriveSrtpSessionKeys } from "./srtp-key-derivation.js";
import {
  createSrtpAuthenticator,
  createSrtpKeystream,
  defaultSrtpEngine,
  type SrtpAuthenticator,
  type SrtpEngine,
  type SrtpKeystream,
} from "./srtp-primitives.js";
import { defaultReplayWindowPackets, SrtpReplayWindow } from "./srtp-replay-window.js";

export interface SrtpKeyMaterial {
  readonly suite: SrtpCryptoSuite;
  /** 16 bytes. */
  readonly masterKey: Uint8Array;
  /** 14 bytes. */
  readonly masterSalt: Uint8Array;
}

export interface SrtpSessionOptions {
  /** RFC 3711 3.3.2 replay window size in packets (default 64). */
  readonly replayWindowPackets?: number;
  /**
   * Most SSRC contexts kept (default 32); the oldest is evicted beyond it, so a peer cycling
   * SSRCs cannot grow memory without bound. A call normally has one or two.
   */
  readonly maxSsrcContexts?: number;
  /**
   * SRTP (not SRTCP) keystream of this many consecutive packet indices per AES call (default 8):
   * one cipher call and one allocation per 8 packets instead of per packet (aes-cm-keystream.ts).
   */
  readonly keystreamPrefetchPackets?: number;
  /**
   * Where AES-CM and HMAC-SHA1 run (default: native when the media addon is loaded, else js).
   * The bytes are the same either way (srtp-primitives.ts).
   */
  readonly engine?: SrtpEngine;
}

export type SrtpFailure = "too-short" | "malformed" | "auth-failed" | "replayed";

export type SrtpResult =
  | { readonly ok: true; readonly packet: Uint8Array }
  | { readonly ok: false; readonly failure: SrtpFailure };

/** Drop counters for metrics (too-short and malformed both count as malformed). */
export interface SrtpCounters {
  authFailures: number;
  replays: number;
  malformed: number;
  rtpProtected: number;
  rtpUnprotected: number;
  rtcpProtected: number;
  rtcpUnprotected: number;
}

interface SsrcContext {
  readonly rtpSend: RolloverState;
  readonly rtpReceive: RolloverState;
  readonly rtpReplay: SrtpReplayWindow;
  readonly rtcpReplay: SrtpReplayWindow;
  /** RFC 3711 3.4: "SRTCP index ... MUST be set to zero before the first SRTCP packet is sent". */
  rtcpSendIndex: number;
}

const rtcpIndexBytes = 4;
const defaultKeystreamPrefetchPackets = 8;
const srtcpEBit = 0x8000_0000;

function u32(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) * 0x100_0000 + (((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0))) >>>
    0
  );
}

function w32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

export class SrtpSession {
  readonly suite: SrtpCryptoSuite;
  /** Where the primitives run (srtp-primitives.ts). */
  readonly engine: SrtpEngine;
  readonly counters: SrtpCounters = {
    authFailures: 0,
    replays: 0,
    malformed: 0,
    rtpProtected: 0,
    rtpUnprotected: 0,
    rtcpProtected: 0,
    rtcpUnprotected: 0,
  };
  readonly #rtpTagBytes: number;
  readonly #rtcpTagBytes: number;
  readonly #rtpCipher: SrtpKeystream;
  readonly #rtcpCipher: SrtpKeystream;
  readonly #rtpAuth: SrtpAuthenticator;
  readonly #rtcpAuth: SrtpAuthenticator;
  readonly #replayWindowPackets: number;
  readonly #maxSsrcContexts: number;
  readonly #contexts = new Map<number, SsrcContext>();

  /** Throws RangeError on a wrong key or salt length (configuration error, not packet input). */
  constructor(keys: SrtpKeyMaterial, options: SrtpSessionOptions = {}) {
    const params = srtpSuites[keys.suite];
    this.suite = keys.suite;
    this.#rtpTagBytes = params.rtpAuthTagBytes;
    this.#rtcpTagBytes = params.rtcpAuthTagBytes;
    const derived = deriveSrtpSessionKeys(keys.masterKey, keys.masterSalt, params.sessionAuthKeyBytes);
    const engine = options.engine ?? defaultSrtpEngine();
    this.engine = engine;
    this.#rtpCipher = createSrtpKeystream(
      engine,
      derived.rtp.cipherKey,
      derived.rtp.cipherSalt,
      options.keystreamPrefetchPackets ?? defaultKeystreamPrefetchPackets,
    );
    this.#rtcpCipher = createSrtpKeystream(engine, derived.rtcp.cipherKey, derived.rtcp.cipherSalt, 1);
    this.#rtpAuth = createSrtpAuthenticator(engine, derived.rtp.authKey);
    this.#rtcpAuth = createSrtpAuthenticator(engine, derived.rtcp.authKey);
    this.#replayWindowPackets = options.replayWindowPackets ?? defaultReplayWindowPackets;
    this.#maxSsrcContexts = Math.max(1, options.maxSsrcContexts ?? 32);
  }

  /** RTP authentication tag length of this suite (10 or 4 bytes). */
  get rtpTagBytes(): number {
    return this.#rtpTagBytes;
  }

  /** AES calls made for SRTP packets (with prefetch, about one per `keystreamPrefetchPackets`). */
  get rtpCipherCalls(): number {
    return this.#rtpCipher.cipherCalls;
  }

  /** Number of SSRC contexts held. */
  get ssrcCount(): number {
    return this.#contexts.size;
  }

  /** Drops the crypto context of an SSRC (after BYE or timeout). */
  forgetSsrc(ssrc: number): void {
    this.#contexts.delete(ssrc);
  }

  #context(ssrc: number): SsrcContext {
    let ctx = this.#contexts.get(ssrc);
    if (ctx === undefined) {
      ctx = {
        rtpSend: new RolloverState(),
        rtpReceive: new RolloverState(),
        rtpReplay: new SrtpReplayWindow(this.#replayWindowPackets),
        rtcpReplay: new SrtpReplayWindow(this.#replayWindowPackets),
        rtcpSendIndex: 0,
      };
      if (this.#contexts.size >= this.#maxSsrcContexts) {
        const oldest = this.#contexts.keys().next();
        if (oldest.done !== true) this.#contexts.delete(oldest.value);
      }
      this.#contexts.set(ssrc, ctx);
    }
    return ctx;
  }

  #fail(failure: SrtpFailure): SrtpResult {
    if (failure === "auth-failed") this.counters.authFailures++;
    else if (failure === "replayed") this.counters.replays++;
    else this.counters.malformed++;
    return { ok: false, failure };
  }

  /** RFC 3711 3.3: encrypts the payload and appends the tag. Returns a new buffer. */
  protectRtp(packet: Uint8Array): SrtpResult {
    const out = Buffer.allocUnsafe(packet.length + this.#rtpTagBytes);
    out.set(packet, 0);
    const failure = this.#protectRtp(out, packet.length);
    return failure === undefined ? { ok: true, packet: out } : this.#fail(failure);
  }

  /**
   * RFC 3711 3.3, in place: encrypts the payload of the RTP packet in `buf[0, packetBytes)` and
   * writes the tag after it, so `buf` needs `packetBytes + rtpTagBytes` bytes. Returns the SRTP
   * packet's length, or -1 when the packet cannot be protected (counted as malformed; `buf` is then
   * unchanged). For the send path, which owns its packet buffers: no allocation per packet.
   */
  protectRtpInPlace(buf: Uint8Array, packetBytes: number): number {
    if (packetBytes < 0 || packetBytes + this.#rtpTagBytes > buf.length) {
      this.#fail("malformed");
      return -1;
    }
    const failure = this.#protectRtp(buf, packetBytes);
    if (failure === undefined) return packetBytes + this.#rtpTagBytes;
    this.#fail(failure);
    return -1;
  }

  #protectRtp(buf: Uint8Array, packetBytes: number): SrtpFailure | undefined {
    const headerBytes = rtpHeaderLength(buf, packetBytes);
    if (headerBytes < 0) return packetBytes < 12 ? "too-short" : "malformed";
    if ((buf[0] ?? 0) >>> 6 !== 2) return "malformed";
    const seq = ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
    const ssrc = u32(buf, 8);
    const state = this.#context(ssrc).rtpSend;
    const v = state.estimate(seq);
    // A packet sent late from before the first ROC cycle cannot be indexed; drop it.
    if (v < 0) return "malformed";
    state.commit(v, seq);
    this.#rtpCipher.xor(buf, headerBytes, packetBytes, ssrc, v >>> 16, (((v & 0xffff) << 16) | seq) >>> 0);
    // RFC 3711 4.2: the tag covers the authenticated portion followed by the 32-bit ROC.
    this.#rtpAuth.sign(buf, 0, packetBytes, v, buf, packetBytes, this.#rtpTagBytes);
    this.counters.rtpProtected++;
    return undefined;
  }

  /**
   * RFC 3711 3.3: checks replay and tag, then decrypts. With `inPlace` the input buffer is
   * decrypted and a view of it returned (use when the caller owns the datagram buffer).
   */
  unprotectRtp(packet: Uint8Array, inPlace = false): SrtpResult {
    const authedBytes = packet.length - this.#rtpTagBytes;
    if (authedBytes < 12) return this.#fail("too-short");
    const headerBytes = rtpHeaderLength(packet, authedBytes);
    if (headerBytes < 0 || (packet[0] ?? 0) >>> 6 !== 2) return this.#fail("malformed");
    const seq = ((packet[2] ?? 0) << 8) | (packet[3] ?? 0);
    const ssrc = u32(packet, 8);
    const ctx = this.#contexts.get(ssrc);
    const v = ctx === undefined ? 0 : ctx.rtpReceive.estimate(seq);
    if (v < 0) return this.#fail("replayed");
    const index = v * 0x1_0000 + seq;
    // RFC 3711 3.3.2: "the receiver MUST ... check ... the index of the packet ... against the replay list".
    if (ctx !== undefined && ctx.rtpReplay.check(index) !== "fresh") return this.#fail("replayed");
    if (!this.#rtpAuth.verify(packet, 0, authedBytes, v, packet, authedBytes, this.#rtpTagBytes)) {
      return this.#fail("auth-failed");
    }
    const out = inPlace ? packet.subarray(0, authedBytes) : Uint8Array.from(packet.subarray(0, authedBytes));
    this.#rtpCipher.xor(out, headerBytes, authedBytes, ssrc, v >>> 16, (((v & 0xffff) << 16) | seq) >>> 0);
    const state = ctx ?? this.#context(ssrc);
    state.rtpReceive.commit(v, seq);
    state.rtpReplay.accept(index);
    this.counters.rtpUnprotected++;
    return { ok: true, packet: out };
  }

  /** RFC 3711 3.4: encrypts after the first 8 bytes, appends E||SRTCP index and the 80-bit tag. */
  protectRtcp(packet: Uint8Array): SrtpResult {
    if (packet.length < 8) return this.#fail("too-short");
    if ((packet[0] ?? 0) >>> 6 !== 2) return this.#fail("malformed");
    const ssrc = u32(packet, 4);
    const ctx = this.#context(ssrc);
    const index = ctx.rtcpSendIndex;
    // RFC 3711 3.4: the 31-bit SRTCP index wraps; re-keying is required before 2^31 packets.
    ctx.rtcpSendIndex = (index + 1) & 0x7fff_ffff;
    const end = packet.length + rtcpIndexBytes;
    const out = Buffer.allocUnsafe(end + this.#rtcpTagBytes);
    out.set(packet, 0);
    this.#rtcpCipher.xor(out, 8, packet.length, ssrc, 0, index);
    w32(out, packet.length, (srtcpEBit | index) >>> 0);
    this.#rtcpAuth.sign(out, 0, end, undefined, out, end, this.#rtcpTagBytes);
    this.counters.rtcpProtected++;
    return { ok: true, packet: out };
  }

  /** RFC 3711 3.4: checks tag and replay of the SRTCP index, decrypts when the E bit is set. */
  unprotectRtcp(packet: Uint8Array, inPlace = false): SrtpResult {
    const end = packet.length - this.#rtcpTagBytes;
    const plainEnd = end - rtcpIndexBytes;
    if (plainEnd < 8) return this.#fail("too-short");
    if ((packet[0] ?? 0) >>> 6 !== 2) return this.#fail("malformed");
    const ssrc = u32(packet, 4);
    const eIndex = u32(packet, plainEnd);
    const index = eIndex & 0x7fff_ffff;
    const ctx = this.#contexts.get(ssrc);
    if (ctx !== undefined && ctx.rtcpReplay.check(index) !== "fresh") return this.#fail("replayed");
    if (!this.#rtcpAuth.verify(packet, 0, end, undefined, packet, end, this.#rtcpTagBytes)) {
      return this.#fail("auth-failed");
    }
    const out = inPlace ? packet.subarray(0, plainEnd) : Uint8Array.from(packet.subarray(0, plainEnd));
    if ((eIndex & srtcpEBit) !== 0) this.#rtcpCipher.xor(out, 8, plainEnd, ssrc, 0, index);
    (ctx ?? this.#context(ssrc)).rtcpReplay.accept(index);
    this.counters.rtcpUnprotected++;
    return { ok: true, packet: out };
  }
}
