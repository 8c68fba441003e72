/**
 * Per-SSRC receive statistics, a direct transcription of RFC 3550 Appendix A.1 (sequence
 * validation with probation), A.3 (expected/lost/fraction lost) and A.8 (interarrival jitter).
 * Pure: the caller passes the arrival time in ms; no clock, no timers.
 */
import { seqModulus } from "./rtp-sequence.js";

export interface RtpReceiveStatsOptions {
  /** RFC 3550 A.1 MIN_SEQUENTIAL: packets in sequence before a source is valid. */
  readonly minSequential: number;
  /** RFC 3550 A.1 MAX_DROPOUT: largest forward jump accepted as a gap. */
  readonly maxDropout: number;
  /** RFC 3550 A.1 MAX_MISORDER: largest backward jump treated as reordering. */
  readonly maxMisorder: number;
}

export const defaultRtpReceiveStatsOptions = {
  minSequential: 2,
  maxDropout: 3000,
  maxMisorder: 100,
} as const satisfies RtpReceiveStatsOptions;

/** Figures for one RTCP report block interval (RFC 3550 A.3). */
export interface RtpReceiveInterval {
  /** Fraction lost since the previous report, as the 8-bit fixed-point RTCP value (0..255). */
  readonly fractionLost: number;
  /** Cumulative packets lost, clamped to the signed 24-bit RTCP field. */
  readonly cumulativeLost: number;
}

const maxLost = 0x7f_ffff;
const minLost = -0x80_0000;

export class RtpReceiveStats {
  readonly ssrc: number;
  readonly clockRateHz: number;
  readonly #options: RtpReceiveStatsOptions;
  // RFC 3550 A.1 source state, names as in the RFC.
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = seqModulus + 1;
  #probation: number;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #transit = 0;
  #haveTransit = false;
  #jitter = 0;
  #started = false;
  #lastSrNtpMiddle = 0;
  #lastSrArrivalMs = -1;
  /** Packets rejected by sequence validation (probation, large jumps). */
  rejected = 0;

  constructor(
    ssrc: number,
    clockRateHz: number,
    options: RtpReceiveStatsOptions = defaultRtpReceiveStatsOptions,
  ) {
    this.ssrc = ssrc;
    this.clockRateHz = clockRateHz;
    this.#options = options;
    this.#probation = options.minSequential;
  }

  #initSeq(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = seqModulus + 1;
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  /**
   * Records one packet. Returns true when the packet is valid (RFC 3550 A.1 update_seq returns 1);
   * false while the source is on probation or after a jump the RFC treats as invalid.
   */
  onPacket(sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): boolean {
    const seq = sequenceNumber & 0xffff;
    if (!this.#started) {
      // RFC 3550 A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation = MIN_SEQUENTIAL;"
      this.#started = true;
      this.#initSeq(seq);
      this.#maxSeq = (seq - 1) & 0xffff;
      this.#probation = this.#options.minSequential;
    }
    const valid = this.#updateSeq(seq);
    if (valid) this.#updateJitter(rtpTimestamp, arrivalMs);
    else this.rejected++;
    return valid;
  }

  #updateSeq(seq: number): boolean {
    const { maxDropout, maxMisorder } = this.#options;
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (this.#probation > 0) {
      // RFC 3550 A.1: "Source is not valid until MIN_SEQUENTIAL packets with sequential sequence
      // numbers have been received."
      if (seq === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = seq;
        if (this.#probation === 0) {
          this.#initSeq(seq);
          this.#received++;
          return true;
        }
      } else {
        this.#probation = this.#options.minSequential - 1;
        this.#maxSeq = seq;
      }
      return false;
    }
    if (udelta < maxDropout) {
      // RFC 3550 A.1: "in order, with permissible gap"; "Sequence number wrapped - count another 64K cycle."
      if (seq < this.#maxSeq) this.#cycles += seqModulus;
      this.#maxSeq = seq;
    } else if (udelta <= seqModulus - maxMisorder) {
      // RFC 3550 A.1: "the sequence number made a very large jump"
      if (seq === this.#badSeq) {
        // "Two sequential packets -- assume that the other side restarted without telling us so just
        // re-sync (i.e., pretend this was the first packet)."
        this.#initSeq(seq);
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: "duplicate or reordered packet" (counted as received, as in the RFC).
    this.#received++;
    return true;
  }

  #updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    // RFC 3550 A.8: transit = arrival (in RTP timestamp units) - r->ts; d = transit - s->transit.
    const transit = (arrivalMs * this.clockRateHz) / 1000 - (rtpTimestamp >>> 0);
    if (!this.#haveTransit) {
      this.#haveTransit = true;
      this.#transit = transit;
      return;
    }
    let d = transit - this.#transit;
    this.#transit = transit;
    // A 32-bit RTP timestamp wrap shows up as a 2^32 step in transit; fold it back.
    if (d > 0x8000_0000) d -= 0x1_0000_0000;
    else if (d < -0x8000_0000) d += 0x1_0000_0000;
    if (d < 0) d = -d;
    // RFC 3550 6.4.1: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16
    this.#jitter += (d - this.#jitter) / 16;
  }

  /** True once probation has passed. */
  get valid(): boolean {
    return this.#started && this.#probation === 0;
  }

  /** RFC 3550 A.3 extended_max = cycles + max_seq. */
  get extendedHighestSequence(): number {
    return this.#cycles + this.#maxSeq;
  }

  get received(): number {
    return this.#received;
  }

  /** RFC 3550 A.3: expected = extended_max - base_seq + 1. */
  get expected(): number {
    return this.valid ? this.extendedHighestSequence - this.#baseSeq + 1 : 0;
  }

  /** RFC 3550 A.3: lost = expected - received, clamped to the signed 24-bit field. */
  get cumulativeLost(): number {
    return Math.min(maxLost, Math.max(minLost, this.expected - this.#received));
  }

  /** Interarrival jitter in RTP timestamp units (RFC 3550 A.8, the value an RR carries, floored). */
  get jitterTimestampUnits(): number {
    return Math.floor(this.#jitter);
  }

  get jitterMs(): number {
    return (this.#jitter * 1000) / this.clockRateHz;
  }

  /**
   * Closes one report interval (RFC 3550 A.3 expected_prior/received_prior) and returns fraction
   * lost for it. Call once per RTCP report you send.
   */
  takeReportInterval(): RtpReceiveInterval {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return { fractionLost: Math.min(255, fractionLost), cumulativeLost: this.cumulativeLost };
  }

  /** Remembers the last SR from this source (RFC 3550 6.4.1 LSR/DLSR). */
  recordSenderReport(ntpMiddle32: number, arrivalMs: number): void {
    this.#lastSrNtpMiddle = ntpMiddle32 >>> 0;
    this.#lastSrArrivalMs = arrivalMs;
  }

  /** LSR field: middle 32 bits of the last SR's NTP timestamp, 0 when none (RFC 3550 6.4.1). */
  get lastSenderReportNtpMiddle(): number {
    return this.#lastSrArrivalMs < 0 ? 0 : this.#lastSrNtpMiddle;
  }

  /** DLSR field at `nowMs` in 1/65536 s, 0 when no SR was received (RFC 3550 6.4.1). */
  delaySinceLastSenderReport(nowMs: number): number {
    if (this.#lastSrArrivalMs < 0) return 0;
    const delayMs = Math.max(0, nowMs - this.#lastSrArrivalMs);
    return Math.min(0xffff_ffff, Math.floor((delayMs * 65536) / 1000));
  }
}
