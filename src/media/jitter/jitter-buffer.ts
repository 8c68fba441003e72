/**
 * Adaptive jitter buffer, a pure core: push(packet, arrivalMs) as packets arrive, pull() every 20 ms
 * for exactly one decoded 20 ms frame. No timers, no I/O; the caller owns time.
 *
 * Playout follows sequence numbers. A missing packet is declared lost when its turn comes and later
 * packets are already here, and concealed with the codec's plc(). The target depth follows the
 * RFC 3550 interarrival jitter estimate between min and max bounds. Clock drift shows up as a
 * depth that stays away from target; it is corrected by dropping or inserting one frame at a time.
 */
import { type AudioFrame, samplesPerFrame } from "../audio/audio-frame.js";
import {
  defaultJitterBufferOptions,
  type JitterBufferOptions,
  type JitterBufferStats,
  type JitterDecoder,
  type JitterPacket,
  type PushOutcome,
} from "./jitter-types.js";
import { extendSequence } from "./rtp-sequence-window.js";

/** A jump larger than this (in packets) means the sender restarted its sequence: reset. */
const maxSequenceJump = 1000;
/**
 * How many sequence numbers back played packets are remembered to tell duplicates from late
 * packets (a power of two: a ring indexed by the low bits of the extended sequence number).
 */
const playedMemory = 256;

/** A decoder that can decode straight into the FIFO (AudioCodec.decodeInto). */
interface DecodeIntoDecoder extends JitterDecoder {
  decodeInto?(payload: Uint8Array, out: Int16Array, at: number): number;
}

export class JitterBuffer {
  private readonly options: JitterBufferOptions;
  private readonly frameSamples: number;
  private readonly packets = new Map<number, JitterPacket>();
  /** played[ext % playedMemory] = the last played extended sequence number with those low bits. */
  private readonly played = new Float64Array(playedMemory).fill(-1);
  private fifo: Int16Array;
  private fifoLength = 0;
  private nextSeq: number | undefined;
  private highestSeq: number | undefined;
  private playing = false;
  /** Playout has begun since the last reset: anything behind nextSeq is now late or a duplicate. */
  private started = false;
  private emptyPulls = 0;
  private pullsSinceDrift = 0;
  private depthAverageMs = 0;
  /** RTP timestamp units per packet, learned from consecutive packets. */
  private packetUnits: number;
  private jitterUnits = 0;
  private lastTransit: number | undefined;
  private lastArrivalSeq: number | undefined;
  private lastArrivalTimestamp = 0;
  /** Extended sequence number of the packet last accepted by push(). */
  private lastPushedSeq = 0;
  /** Set by reuseFrameBuffer(): every frame handed out is this one buffer. */
  private frameBuffer: Int16Array | undefined;
  private readonly counters: Omit<JitterBufferStats, "depthMs" | "targetDepthMs" | "jitterMs"> = {
    received: 0,
    played: 0,
    late: 0,
    lost: 0,
    duplicates: 0,
    reordered: 0,
    concealed: 0,
    silentPulls: 0,
    driftDropped: 0,
    driftInserted: 0,
    overflowDropped: 0,
    malformed: 0,
    resets: 0,
  };

  constructor(
    private readonly decoder: JitterDecoder,
    options: Partial<JitterBufferOptions> = {},
  ) {
    this.options = { ...defaultJitterBufferOptions, ...options };
    this.frameSamples = samplesPerFrame(decoder.sampleRateHz);
    this.fifo = new Int16Array(decoder.sampleRateHz); // one second
    this.packetUnits = decoder.clockRateHz / 50;
  }

  /**
   * From now on the frames handed out (pull, takeDueFrame, silentFrame) share one buffer, valid
   * until the next of those calls: for a caller that resamples each frame at once (no allocation
   * per frame; the resampled frame is the one that travels on).
   */
  reuseFrameBuffer(): void {
    this.frameBuffer ??= new Int16Array(this.frameSamples);
  }

  /** Samples for an outgoing frame: the shared buffer (zeroed when asked) or a new zeroed one. */
  private frameSamplesOut(zeroed: boolean): Int16Array {
    const shared = this.frameBuffer;
    if (shared === undefined) return new Int16Array(this.frameSamples);
    if (zeroed) shared.fill(0);
    return shared;
  }

  push(packet: JitterPacket, arrivalMs: number): PushOutcome {
    if (!isWellFormed(packet) || !Number.isFinite(arrivalMs)) {
      this.counters.malformed++;
      return "malformed";
    }
    const ext =
      this.highestSeq === undefined ? packet.seq + 0x10000 : extendSequence(packet.seq, this.highestSeq);
    if (this.highestSeq !== undefined && Math.abs(ext - this.highestSeq) > maxSequenceJump) {
      this.reset();
      this.counters.resets++;
      return this.push(packet, arrivalMs);
    }
    if (this.nextSeq !== undefined && ext < this.nextSeq) {
      if (this.started) {
        if (this.played[ext & (playedMemory - 1)] === ext) {
          this.counters.duplicates++;
          return "duplicate";
        }
        this.counters.late++;
        return "late";
      }
      // Still buffering before the first playout: an earlier packet simply moves the start back.
      this.nextSeq = ext;
    }
    if (this.packets.has(ext)) {
      this.counters.duplicates++;
      return "duplicate";
    }
    this.counters.received++;
    if (this.highestSeq !== undefined && ext < this.highestSeq) this.counters.reordered++;
    this.updateJitter(ext, packet.timestamp, arrivalMs);
    this.packets.set(ext, packet);
    this.highestSeq = this.highestSeq === undefined ? ext : Math.max(this.highestSeq, ext);
    this.nextSeq ??= ext;
    this.dropOverflow();
    this.lastPushedSeq = ext;
    return "accepted";
  }

  /** Exactly one 20 ms frame at the decoder's sample rate. */
  pull(): AudioFrame {
    if (!this.playing) {
      if (this.packets.size > 0 && this.depthMs() >= this.targetDepthMs()) {
        this.playing = true;
        this.started = true;
        this.emptyPulls = 0;
      } else {
        this.counters.silentPulls++;
        return { samples: this.frameSamplesOut(true), sampleRateHz: this.decoder.sampleRateHz };
      }
    }
    if (this.correctDrift()) {
      this.counters.driftInserted++;
      this.counters.concealed++;
      return this.fitFrame(this.decoder.plc());
    }
    while (this.fifoLength < this.frameSamples) {
      if (this.packets.size === 0) {
        // Underrun: nothing to play. Conceal; after several in a row, stop and re-buffer.
        this.emptyPulls++;
        if (this.emptyPulls >= this.options.rebufferAfterEmptyPulls) this.playing = false;
        this.conceal(this.frameSamples - this.fifoLength);
        break;
      }
      this.emptyPulls = 0;
      this.playNext();
    }
    return this.takeFrame();
  }

  /**
   * For time-based playout (TimedPlayout): can the next frame be made now from packets that are here
   * ("ready"), only by concealing a missing packet while later ones are here ("lost"), or not at all
   * ("empty": nothing buffered)?
   */
  nextFrameStatus(): "ready" | "lost" | "empty" {
    if (this.fifoLength >= this.frameSamples) return "ready";
    if (this.packets.size === 0 || this.nextSeq === undefined) return "empty";
    return this.packets.has(this.nextSeq) ? "ready" : "lost";
  }

  /**
   * Time-based playout: one 20 ms frame now, whatever the depth (the caller decided it is due):
   * buffered packets in sequence order, a lost packet concealed, an underrun concealed without
   * consuming a sequence number (a late packet then still plays). No drift correction: the caller's
   * schedule absorbs clock drift.
   */
  takeDueFrame(): AudioFrame {
    this.started = true;
    while (this.fifoLength < this.frameSamples) {
      if (this.packets.size === 0) {
        this.conceal(this.frameSamples - this.fifoLength);
        break;
      }
      this.playNext();
    }
    return this.takeFrame();
  }

  /**
   * Time-based playout, a talkspurt start after idle: packets missing before the first one here are
   * lost, not concealed (nothing was playing).
   */
  skipToBuffered(): void {
    if (this.nextSeq === undefined || this.packets.size === 0 || this.packets.has(this.nextSeq)) return;
    let first = Number.POSITIVE_INFINITY;
    for (const seq of this.packets.keys()) if (seq < first) first = seq;
    if (first > this.nextSeq) {
      this.counters.lost += first - this.nextSeq;
      this.nextSeq = first;
    }
  }

  /** Time-based playout: one silent frame while nothing plays (start-up, between talkspurts). */
  silentFrame(): AudioFrame {
    this.counters.silentPulls++;
    return { samples: this.frameSamplesOut(true), sampleRateHz: this.decoder.sampleRateHz };
  }

  /**
   * For the packet last accepted by push(): ms of audio that play before it (decoded whole frames
   * plus the packets ahead of it). Time-based playout turns this into the packet's due time.
   */
  get aheadMs(): number {
    const frameMs = (this.frameSamples * 1000) / this.decoder.sampleRateHz;
    const fifoFramesMs = Math.floor(this.fifoLength / this.frameSamples) * frameMs;
    const packetsAhead = this.nextSeq === undefined ? 0 : Math.max(0, this.lastPushedSeq - this.nextSeq);
    return fifoFramesMs + packetsAhead * this.packetMs();
  }

  /** RFC 3550 6.4.1 interarrival jitter estimate in ms. */
  get jitterEstimateMs(): number {
    return (this.jitterUnits * 1000) / this.decoder.clockRateHz;
  }

  /** Decoded samples and buffered packets, in ms (what is waiting to play). */
  get bufferedMs(): number {
    return this.depthMs();
  }

  stats(): JitterBufferStats {
    return {
      ...this.counters,
      depthMs: this.depthMs(),
      targetDepthMs: this.targetDepthMs(),
      jitterMs: (this.jitterUnits * 1000) / this.decoder.clockRateHz,
    };
  }

  reset(): void {
    this.packets.clear();
    this.played.fill(-1);
    this.fifoLength = 0;
    this.nextSeq = undefined;
    this.highestSeq = undefined;
    this.playing = false;
    this.started = false;
    this.emptyPulls = 0;
    this.lastTransit = undefined;
    this.lastArrivalSeq = undefined;
    this.depthAverageMs = 0;
  }

  private packetMs(): number {
    return (this.packetUnits * 1000) / this.decoder.clockRateHz;
  }

  private depthMs(): number {
    const fifoMs = (this.fifoLength * 1000) / this.decoder.sampleRateHz;
    if (this.packets.size === 0 || this.nextSeq === undefined || this.highestSeq === undefined) return fifoMs;
    return fifoMs + (this.highestSeq - this.nextSeq + 1) * this.packetMs();
  }

  private targetDepthMs(): number {
    const jitterMs = (this.jitterUnits * 1000) / this.decoder.clockRateHz;
    const wanted = this.packetMs() + this.options.jitterFactor * jitterMs;
    // Nearest whole packet: rounding up would add a packet for any jitter at all (even 0.1 ms).
    const rounded = Math.round(wanted / 20) * 20;
    return Math.min(this.options.maxDepthMs, Math.max(this.options.minDepthMs, rounded));
  }

  /** RFC 3550 A.8: J += (|D(i-1,i)| - J) / 16, in RTP timestamp units. */
  private updateJitter(ext: number, timestamp: number, arrivalMs: number): void {
    const arrivalUnits = (arrivalMs * this.decoder.clockRateHz) / 1000;
    const transit = arrivalUnits - timestamp;
    if (this.lastTransit !== undefined && this.lastArrivalSeq !== undefined) {
      let d = transit - this.lastTransit;
      // Timestamps wrap at 2^32; a difference that large is a wrap, not jitter.
      if (d > 0x80000000) d -= 0x100000000;
      else if (d < -0x80000000) d += 0x100000000;
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
      const seqStep = ext - this.lastArrivalSeq;
      const tsStep = (timestamp - this.lastArrivalTimestamp) >>> 0;
      if (seqStep === 1 && tsStep > 0 && tsStep <= this.decoder.clockRateHz / 5) this.packetUnits = tsStep;
    }
    this.lastTransit = transit;
    this.lastArrivalSeq = ext;
    this.lastArrivalTimestamp = timestamp;
  }

  private playNext(): void {
    const seq = this.nextSeq;
    if (seq === undefined) return;
    const packet = this.packets.get(seq);
    this.nextSeq = seq + 1;
    if (!packet) {
      // The turn of a packet that has not come while later ones have: lost.
      this.counters.lost++;
      this.conceal(Math.round((this.packetMs() * this.decoder.sampleRateHz) / 1000));
      return;
    }
    this.packets.delete(seq);
    this.rememberPlayed(seq);
    this.counters.played++;
    if (!this.decodeToFifo(packet.payload)) {
      this.conceal(Math.round((this.packetMs() * this.decoder.sampleRateHz) / 1000));
    }
  }

  /**
   * Decodes a payload onto the end of the FIFO: in place when the codec can (no frame allocated
   * per packet), else through decode(). False when the payload gave no audio.
   */
  private decodeToFifo(payload: Uint8Array): boolean {
    const decoder = this.decoder as DecodeIntoDecoder;
    if (decoder.decodeInto !== undefined) {
      // -1: no room (nothing decoded); grow the FIFO and retry, a few times at most.
      for (let attempt = 0; attempt < 4; attempt++) {
        const n = decoder.decodeInto(payload, this.fifo, this.fifoLength);
        if (n >= 0) {
          this.fifoLength += n;
          return n > 0;
        }
        this.growFifo(this.fifo.length * 2);
      }
    }
    const frames = this.decoder.decode(payload);
    for (const f of frames) this.append(f.samples);
    return frames.length > 0;
  }

  private growFifo(samples: number): void {
    const bigger = new Int16Array(samples);
    bigger.set(this.fifo.subarray(0, this.fifoLength));
    this.fifo = bigger;
  }

  /**
   * Drift: the depth averaged over about a second should sit near target. Above target by more than
   * two frames: drop one packet's audio. Below target with packets waiting: insert one concealed frame.
   * Returns true when this pull should be answered with an inserted frame.
   */
  private correctDrift(): boolean {
    const depth = this.depthMs();
    this.depthAverageMs += (depth - this.depthAverageMs) / 50;
    this.pullsSinceDrift++;
    if (this.pullsSinceDrift < this.options.driftCooldownPulls) return false;
    const target = this.targetDepthMs();
    if (this.depthAverageMs > target + 40 && this.packets.size > 1 && this.nextSeq !== undefined) {
      const seq = this.nextSeq;
      this.discard(seq);
      this.nextSeq = seq + 1;
      this.counters.driftDropped++;
      this.pullsSinceDrift = 0;
      this.depthAverageMs -= this.packetMs();
      return false;
    }
    if (this.depthAverageMs < target - 30 && this.packets.size > 0) {
      this.pullsSinceDrift = 0;
      this.depthAverageMs += 20;
      return true;
    }
    return false;
  }

  private dropOverflow(): void {
    while (
      this.nextSeq !== undefined &&
      this.depthMs() > 2 * this.options.maxDepthMs &&
      this.packets.size > 1
    ) {
      const seq = this.nextSeq;
      if (this.discard(seq)) this.counters.overflowDropped++;
      this.nextSeq = seq + 1;
    }
  }

  /**
   * Drops a packet's audio but still decodes it: stateful decoders (G.722 ADPCM, Opus) must see every
   * payload in order or their state drifts from the encoder's and the rest of the stream is garbage.
   */
  private discard(seq: number): boolean {
    const packet = this.packets.get(seq);
    if (!packet) return false;
    this.packets.delete(seq);
    this.rememberPlayed(seq);
    this.decoder.decode(packet.payload);
    return true;
  }

  private conceal(samples: number): void {
    let remaining = samples;
    while (remaining > 0) {
      const f = this.decoder.plc();
      this.counters.concealed++;
      const part = f.samples.subarray(0, Math.min(remaining, f.samples.length));
      if (part.length === 0) break;
      this.append(part);
      remaining -= part.length;
    }
  }

  private append(samples: Int16Array): void {
    if (this.fifoLength + samples.length > this.fifo.length) {
      this.growFifo(Math.max(this.fifo.length * 2, this.fifoLength + samples.length));
    }
    this.fifo.set(samples, this.fifoLength);
    this.fifoLength += samples.length;
  }

  private takeFrame(): AudioFrame {
    const n = Math.min(this.frameSamples, this.fifoLength);
    const samples = this.frameSamplesOut(n < this.frameSamples);
    samples.set(this.fifo.subarray(0, n));
    this.fifo.copyWithin(0, n, this.fifoLength);
    this.fifoLength -= n;
    return { samples, sampleRateHz: this.decoder.sampleRateHz };
  }

  private fitFrame(frame: AudioFrame): AudioFrame {
    if (frame.samples.length === this.frameSamples) return frame;
    const samples = new Int16Array(this.frameSamples);
    samples.set(frame.samples.subarray(0, this.frameSamples));
    return { samples, sampleRateHz: this.decoder.sampleRateHz };
  }

  private rememberPlayed(seq: number): void {
    this.played[seq & (playedMemory - 1)] = seq;
  }
}

function isWellFormed(p: JitterPacket): boolean {
  return (
    Number.isInteger(p.seq) &&
    p.seq >= 0 &&
    p.seq <= 0xffff &&
    Number.isInteger(p.timestamp) &&
    p.timestamp >= 0 &&
    p.timestamp <= 0xffffffff &&
    p.payload instanceof Uint8Array
  );
}
