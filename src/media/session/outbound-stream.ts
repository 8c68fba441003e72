/**
 * The send half of a media session, a pure core: on each pacer tick it gives the plaintext RTP
 * packet to send (agent voice, a DTMF event packet, silence, or nothing). RTP timestamps follow the
 * tick index, so they advance with real time across silence and skipped ticks (RFC 3550 5.1: "The
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

export class OutboundStream {
  readonly ssrc: number;
  readonly utterances: UtteranceQueue;
  #config: OutboundStreamConfig;
  #sequence: number;
  #timestampAtTick: number;
  #timestampTick: number | undefined;
  #unitsPerFrame: number;
  #previousKind: OutboundKind | undefined;
  #lastKind: OutboundKind | undefined;
  #resamplers = new Map<number, Resampler>();
  #dtmfQueue: DtmfRequest[] = [];
  #dtmfPlan: DtmfPacketPlan[] | undefined;
  #dtmfIndex = 0;
  #dtmfCurrent: DtmfRequest | undefined;
  #silentFrame: AudioFrame;
  /** RTCP sender info (RFC 3550 6.4.1): packets and payload octets sent. */
  packetCount = 0;
  octetCount = 0;
  /** Agent frames that were not 20 ms at a supported rate (dropped). */
  badFrames = 0;
  dtmfDigitsSent = 0;

  constructor(config: OutboundStreamConfig, utterances: UtteranceQueue = new UtteranceQueue()) {
    this.#config = config;
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
  }

  get config(): OutboundStreamConfig {
    return this.#config;
  }

  /** RTP timestamp for `tickIndex`. */
  timestampAt(tickIndex: number): number {
    const base = this.#timestampTick ?? tickIndex;
    return (this.#timestampAtTick + (tickIndex - base) * this.#unitsPerFrame) >>> 0;
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
      const payload = this.#config.codec.encode(frame);
      // RFC 3551 4.1: "the marker bit is set in the first packet of a talkspurt".
      const marker = this.#previousKind !== "voice";
      return this.#write("voice", this.#config.payloadType, marker, timestamp, payload);
    }
    if (!this.#config.sendSilence) {
      this.#previousKind = undefined;
      return undefined;
    }
    const payload = this.#config.silencePayload ?? this.#config.codec.encode(this.#silentFrame);
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
      if (frame.samples.length !== samplesPerFrame(rate) || !resamplerRates.some((r) => r === rate)) {
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

  #write(
    kind: OutboundKind,
    payloadType: number,
    marker: boolean,
    timestamp: number,
    payload: Uint8Array,
  ): Uint8Array {
    const buf = Buffer.allocUnsafe(rtpHeaderBytes + payload.length);
    const seq = this.#sequence;
    this.#sequence = (seq + 1) & 0xffff;
    buf[0] = 0x80; // RFC 3550 5.1: V=2, no padding, no extension, no CSRC
    buf[1] = (marker ? 0x80 : 0) | payloadType;
    buf[2] = seq >>> 8;
    buf[3] = seq & 0xff;
    buf.writeUInt32BE(timestamp >>> 0, 4);
    buf.writeUInt32BE(this.ssrc >>> 0, 8);
    buf.set(payload, rtpHeaderBytes);
    this.#previousKind = kind;
    this.#lastKind = kind;
    return buf;
  }
}
