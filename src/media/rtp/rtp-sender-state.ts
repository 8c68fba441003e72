/**
 * Outbound RTP stream state for one SSRC: random initial sequence number and timestamp
 * (RFC 3550 5.1: "The initial value of the sequence number SHOULD be random"), wraparound
 * increments, and the packet/octet counters an SR reports (RFC 3550 6.4.1).
 */
import { randomBytes } from "node:crypto";
import { seqAdd, timestampAdd } from "./rtp-sequence.js";

export interface RtpSenderInit {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly clockRateHz: number;
  /** Fixed initial values for tests; random when absent. */
  readonly initialSequenceNumber?: number;
  readonly initialTimestamp?: number;
}

/** A fresh random 32-bit SSRC (RFC 3550 8.1). */
export function randomSsrc(): number {
  return randomBytes(4).readUInt32BE(0);
}

export class RtpSenderState {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly clockRateHz: number;
  #nextSequenceNumber: number;
  #timestamp: number;
  #packetCount = 0;
  #octetCount = 0;

  constructor(init: RtpSenderInit) {
    const random = randomBytes(6);
    this.ssrc = init.ssrc >>> 0;
    this.payloadType = init.payloadType;
    this.clockRateHz = init.clockRateHz;
    this.#nextSequenceNumber = (init.initialSequenceNumber ?? random.readUInt16BE(0)) & 0xffff;
    this.#timestamp = (init.initialTimestamp ?? random.readUInt32BE(2)) >>> 0;
  }

  /**
   * Takes the sequence number and timestamp for the next packet and counts it;
   * `payloadBytes` feeds the SR octet count (payload only, RFC 3550 6.4.1).
   */
  next(payloadBytes: number): { readonly sequenceNumber: number; readonly timestamp: number } {
    const sequenceNumber = this.#nextSequenceNumber;
    this.#nextSequenceNumber = seqAdd(sequenceNumber, 1);
    this.#packetCount = (this.#packetCount + 1) >>> 0;
    this.#octetCount = (this.#octetCount + payloadBytes) % 0x1_0000_0000;
    return { sequenceNumber, timestamp: this.#timestamp };
  }

  /** Advances the media clock by `samples` (e.g. 160 per 20 ms at 8 kHz, also across silence). */
  advance(samples: number): void {
    this.#timestamp = timestampAdd(this.#timestamp, samples);
  }

  /** The RTP timestamp of the next packet. */
  get timestamp(): number {
    return this.#timestamp;
  }

  get packetCount(): number {
    return this.#packetCount;
  }

  get octetCount(): number {
    return this.#octetCount;
  }
}
