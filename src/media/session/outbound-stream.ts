/**
 * The send half of a media session, a pure core: on each pacer tick it gives the plaintext RTP
 * packet to send (agent voice, a DTMF event packet, silence, or nothing). RTP timestamps follow the
 * tick index (pacer sub-ticks, `ticksPerFrame` per frame), so they advance with real time across
 * silence, skipped ticks and a re-phased talkspurt start (RFC 3550 5.1: "The
 * timestamp reflects the sampling instant of the first octet in the RTP data packet"); the marker
 * bit is set on the first voice packet of each talkspurt (RFC 3551 4.1). DTMF (RFC 4733) pauses
 * voice while its packets go out, so the two never overlap.
 */
import { randomInt } from "node:crypto";
import { RingagentError } from "../../shared/index.js";
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";
import { Resampler, type ResamplerRateHz, resamplerRates } from "../audio/resampler.js";
import type { AudioCodec } from "../codecs/codec-types.js";
import { type DtmfPacketPlan, planDtmfPackets } from "../dtmf/dtmf-sender.js";
import { UtteranceQueue } from "./utterance-queue.js";

export interface OutboundStreamConfig {
  /** Encoder for the negotiated codec (not shared with the decoder). */
  readonly codec: AudioCodec;
  readonly payloadType: number;
  readonly telephoneEventPayloadType?: number | undefined;
  readonly telephoneEventClockRateHz: number;
  /** Send silence when no agent audio is queued (keeps NAT bindings and picky peers happy). */
  readonly sendSilence: boolean;
  /** A ready-made payload for one silent frame; undefined encodes silence through the codec. */
  readonly silencePayload?: Uint8Array | undefined;
}

export type OutboundKind = "voice" | "silence" | "dtmf";

interface DtmfRequest {
  readonly digit: string;
  readonly durationMs: number;
  readonly resolve: (sent: boolean) => void;
}

const rtpHeaderBytes = 12;
/**
 * Packet slots per stream: a packet is written (and SRTP-protected in place) in one slot, which
 * must not be rewritten while the socket may still hold it (node's dgram queues a send it could
 * not hand to the kernel at once); 8 slots are 140 ms of sends apart.
 */
const packetSlots = 8;
/** Bytes after the RTP packet kept free in a slot for the SRTP tag (10 or 4 bytes). */
export const packetSlotTrailerBytes = 16;
/** Initial payload room per slot (G.711 and G.722 at 20 ms need 160; a longer payload grows it). */
const initialSlotPayloadBytes = 320;

export class OutboundStream {
  readonly ssrc: number;
  readonly utterances: UtteranceQueue;
  #config: OutboundStreamConfig;
  #sequence: number;
  #timestampAtTick: number;
  #timestampTick: number | undefined;
  #unitsPerFrame: number;
  /** Pacer ticks per 20 ms frame (4 with 5 ms sub-ticks). */
  readonly #ticksPerFrame: number;
  #previousKind: OutboundKind | undefined;
  #lastKind: OutboundKind | undefined;
  #resamplers = new Map<number, Resampler>();
  #dtmfQueue: DtmfRequest[] = [];
  #dtmfPlan: DtmfPacketPlan[] | undefined;
  #dtmfIndex = 0;
  #dtmfCurrent: DtmfRequest | undefined;
  #silentFrame: AudioFrame;
  /** Packet slots (views of one buffer), the one written last, and the last packet's length. */
  #slots: Uint8Array[] = [];
  #slotIndex = 0;
  #slotPayloadBytes = 0;
  /** RTCP sender info (RFC 3550 6.4.1): packets and payload octets sent. */
  packetCount = 0;
  octetCount = 0;
  /** Agent frames that were not 20 ms at a supported rate (dropped). */
  badFrames = 0;
  dtmfDigitsSent = 0;

  constructor(
    config: OutboundStreamConfig,
    utterances: UtteranceQueue = new UtteranceQueue(),
    ticksPerFrame = 1,
  ) {
    this.#config = config;
    this.#ticksPerFrame = Math.max(1, Math.floor(ticksPerFrame));
    // RFC 3550 5.1: the initial sequence number and timestamp SHOULD be random.
    this.ssrc = randomInt(1, 0xffff_ffff);
    this.#sequence = randomInt(0, 0x1_0000);
    this.#timestampAtTick = randomInt(0, 0xffff_ffff);
    this.#unitsPerFrame = config.codec.timestampUnitsPerFrame;
    this.#silentFrame = {
      samples: new Int16Array(samplesPerFrame(config.codec.sampleRateHz)),
      sampleRateHz: config.codec.sampleRateHz,
    };
    this.utterances = utterances;
    this.#allocateSlots(initialSlotPayloadBytes);
  }

  /**
   * The whole slot holding the packet last returned by nextPacket() (the packet is its first
   * `length` bytes), with at least `packetSlotTrailerBytes` free after the packet: SRTP protects it
   * in place and the socket sends it from here. Valid until 8 more packets were made.
   */
  get packetSlot(): Uint8Array {
    return this.#slots[this.#slotIndex] as Uint8Array;
  }

  get config(): OutboundStreamConfig {
    return this.#config;
  }

  /** RTP timestamp for `tickIndex` (the sampling instant of a packet sent at that tick). */
  timestampAt(tickIndex: number): number {
    const base = this.#timestampTick ?? tickIndex;
    const units = Math.round(((tickIndex - base) * this.#unitsPerFrame) / this.#ticksPerFrame);
    return (this.#timestampAtTick + units) >>> 0;
  }

  /** True while voice or DTMF is on the wire: its packets must stay a frame apart (no re-phase). */
  get keepsPhase(): boolean {
    return this.#previousKind === "voice" || this.#dtmfPlan !== undefined || this.#dtmfQueue.length > 0;
  }

  /** New codec or payload types (re-INVITE): timestamps continue from where they are. */
  reconfigure(config: OutboundStreamConfig, tickIndex: number): void {
    this.#timestampAtTick = this.timestampAt(tickIndex);
    this.#timestampTick = tickIndex;
    this.#unitsPerFrame = config.codec.timestampUnitsPerFrame;
    this.#config = config;
    this.#resamplers.clear();
    this.#silentFrame = {
      samples: new Int16Array(samplesPerFrame(config.codec.sampleRateHz)),
      sampleRateHz: config.codec.sampleRateHz,
    };
    if (config.telephoneEventPayloadType === undefined) this.cancelDigits();
  }

  /** Queues one RFC 4733 digit; resolves true once its last end packet is sent, false if cancelled. */
  sendDigit(digit: string, durationMs: number): Promise<boolean> {
    if (this.#config.telephoneEventPayloadType === undefined) {
      return Promise.reject(
        new RingagentError("media_dtmf_unavailable", "telephone-event was not negotiated; use SIP INFO"),
      );
    }
    return new Promise((resolve) => {
      this.#dtmfQueue.push({ digit, durationMs, resolve });
    });
  }

  cancelDigits(): void {
    this.#dtmfCurrent?.resolve(false);
    this.#dtmfCurrent = undefined;
    this.#dtmfPlan = undefined;
    for (const r of this.#dtmfQueue) r.resolve(false);
    this.#dtmfQueue = [];
  }

  /** The packet for this tick, or undefined when there is nothing to send. */
  nextPacket(tickIndex: number): Uint8Array | undefined {
    this.#timestampTick ??= tickIndex;
    const timestamp = this.timestampAt(tickIndex);
    const dtmf = this.#nextDtmf(timestamp);
    if (dtmf !== undefined) {
      return this.#write(
        "dtmf",
        this.#config.telephoneEventPayloadType ?? 0,
        dtmf.marker,
        dtmf.timestamp,
        dtmf.payload,
      );
    }
    const frame = this.#nextVoiceFrame();
    if (frame !== undefined) {
      // RFC 3551 4.1: "the marker bit is set in the first packet of a talkspurt".
      const marker = this.#previousKind !== "voice";
      return this.#write("voice", this.#config.payloadType, marker, timestamp, frame);
    }
    if (!this.#config.sendSilence) {
      this.#previousKind = undefined;
      return undefined;
    }
    const payload = this.#config.silencePayload ?? this.#silentFrame;
    return this.#write(
      "silence",
      this.#config.payloadType,
      this.#previousKind === undefined,
      timestamp,
      payload,
    );
  }

  /** Reports that the packet from nextPacket() was handed to the socket (true) or not (false). */
  packetSent(sent: boolean, payloadBytes: number): void {
    const kind = this.#lastKind;
    this.#lastKind = undefined;
    if (kind === "voice") {
      if (sent) this.utterances.frameSent();
      else this.utterances.frameNotSent();
    }
    if (sent) {
      this.packetCount++;
      this.octetCount += payloadBytes;
    }
  }

  #nextDtmf(timestamp: number): DtmfPacketPlan | undefined {
    if (this.#dtmfPlan === undefined) {
      const request = this.#dtmfQueue.shift();
      if (request === undefined) return undefined;
      const plan = planDtmfPackets(request.digit, {
        timestamp,
        clockRateHz: this.#config.telephoneEventClockRateHz,
        durationMs: request.durationMs,
      });
      if (plan === undefined) {
        request.resolve(false);
        return this.#nextDtmf(timestamp);
      }
      this.#dtmfPlan = plan;
      this.#dtmfIndex = 0;
      this.#dtmfCurrent = request;
    }
    const packet = this.#dtmfPlan[this.#dtmfIndex++];
    if (this.#dtmfIndex >= this.#dtmfPlan.length) {
      this.#dtmfPlan = undefined;
      this.dtmfDigitsSent++;
      this.#dtmfCurrent?.resolve(true);
      this.#dtmfCurrent = undefined;
    }
    return packet;
  }

  #nextVoiceFrame(): AudioFrame | undefined {
    for (;;) {
      const frame = this.utterances.takeFrame();
      if (frame === undefined) return undefined;
      const rate = frame.sampleRateHz;
      if (
        frame.samples.length !== samplesPerFrame(rate) ||
        !resamplerRates.includes(rate as ResamplerRateHz)
      ) {
        this.badFrames++;
        this.utterances.frameNotSent();
        continue;
      }
      const codecRate = this.#config.codec.sampleRateHz;
      if (rate === codecRate) return frame;
      let resampler = this.#resamplers.get(rate);
      if (resampler === undefined) {
        resampler = new Resampler(rate as ResamplerRateHz, codecRate as ResamplerRateHz);
        this.#resamplers.set(rate, resampler);
      }
      // Encoded at once by nextPacket(), so the resampler's reused output buffer is safe here.
      return resampler.processTransient(frame);
    }
  }

  #allocateSlots(payloadBytes: number): void {
    // 4-byte multiples keep every slot, and so every payload, 32-bit aligned (SRTP XORs by words).
    const slotBytes = (rtpHeaderBytes + payloadBytes + packetSlotTrailerBytes + 3) & ~3;
    const all = new Uint8Array(slotBytes * packetSlots);
    this.#slots = Array.from({ length: packetSlots }, (_, i) =>
      all.subarray(i * slotBytes, (i + 1) * slotBytes),
    );
    this.#slotPayloadBytes = payloadBytes;
  }

  /**
   * Writes the payload (given, or encoded from a frame straight into the slot when the codec can)
   * into the next slot and returns its length.
   */
  #writePayload(payload: Uint8Array | AudioFrame): number {
    this.#slotIndex = (this.#slotIndex + 1) % packetSlots;
    if (payload instanceof Uint8Array) {
      if (payload.length > this.#slotPayloadBytes) this.#allocateSlots(payload.length);
      this.packetSlot.set(payload, rtpHeaderBytes);
      return payload.length;
    }
    const codec = this.#config.codec;
    if (codec.encodeInto !== undefined) {
      const slot = this.packetSlot;
      const written = codec.encodeInto(payload, slot, rtpHeaderBytes);
      if (written >= 0 && written <= this.#slotPayloadBytes) return written;
      // Written into the tag room: move it to bigger slots (never encode twice: codecs keep state).
      if (written >= 0) return this.#writePayload(slot.slice(rtpHeaderBytes, rtpHeaderBytes + written));
    }
    return this.#writePayload(codec.encode(payload));
  }

  #write(
    kind: OutboundKind,
    payloadType: number,
    marker: boolean,
    timestamp: number,
    payload: Uint8Array | AudioFrame,
  ): Uint8Array {
    const payloadBytes = this.#writePayload(payload);
    const buf = this.packetSlot;
    const seq = this.#sequence;
    this.#sequence = (seq + 1) & 0xffff;
    buf[0] = 0x80; // RFC 3550 5.1: V=2, no padding, no extension, no CSRC
    buf[1] = (marker ? 0x80 : 0) | payloadType;
    buf[2] = seq >>> 8;
    buf[3] = seq & 0xff;
    writeU32(buf, 4, timestamp >>> 0);
    writeU32(buf, 8, this.ssrc >>> 0);
    this.#previousKind = kind;
    this.#lastKind = kind;
    return buf.subarray(0, rtpHeaderBytes + payloadBytes);
  }
}

function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value >>> 24;
  buf[at + 1] = value >>> 16;
  buf[at + 2] = value >>> 8;
  buf[at + 3] = value;
}
