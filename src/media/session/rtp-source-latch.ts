/**
 * Which remote source we play and send to (symmetric RTP, RFC 4961 4: "the RTP source ... SHOULD be
 * used as the destination"), a pure core: endpoints, SSRCs, sequence numbers and arrival times in,
 * decisions out. With SRTP a packet that authenticates proves its sender holds the peer's key, so any
 * such source is followed at once. Plain RTP proves nothing: anyone who learns the SSRC could send one
 * packet and take the stream. So we latch once, to the first valid source (or to the address the SDP
 * announced), and afterwards follow another source only when it sends a run of packets that continue
 * the current stream's sequence numbers in a row while the current source has gone quiet (a NAT
 * rebinding looks like that; an injector racing a live peer does not). Until then its packets are
 * dropped and counted. A re-INVITE with a new address starts over.
 */
import { seqAdd, seqDiff } from "../rtp/rtp-sequence.js";

export interface LatchEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface RtpSourceLatchOptions {
  /** Plain RTP: packets in sequence, in a row, a new source must send before we follow it. */
  readonly switchAfterPackets: number;
  /** Plain RTP: the latched source must have sent nothing valid for this long before another takes over. */
  readonly switchAfterQuietMs: number;
  /** Plain RTP: a new source's first packet may be at most this many sequence numbers ahead of the stream. */
  readonly maxSequenceJump: number;
  /**
   * Plain RTP: a new source with a new SSRC (no sequence continuity to check, e.g. a media server
   * failover without a re-INVITE) is followed only after the latched source was quiet this long.
   * Infinity never follows one.
   */
  readonly newSsrcAfterQuietMs: number;
}

export const defaultRtpSourceLatchOptions = {
  switchAfterPackets: 4,
  switchAfterQuietMs: 200,
  maxSequenceJump: 100,
  newSsrcAfterQuietMs: 1000,
} as const satisfies RtpSourceLatchOptions;

/** What admit() needs of a parsed packet. */
export interface LatchPacket {
  readonly ssrc: number;
  readonly sequenceNumber: number;
}

interface LatchedSource {
  readonly endpoint: LatchEndpoint;
  ssrc: number;
  highestSeq: number;
  lastHeardMs: number;
}

interface Candidate {
  readonly endpoint: LatchEndpoint;
  readonly ssrc: number;
  lastSeq: number;
  run: number;
}

/** The same host, also when one side is an IPv4-mapped IPv6 address ("::ffff:192.0.2.1"). */
function sameHost(a: string, b: string): boolean {
  const strip = (x: string): string => (x.toLowerCase().startsWith("::ffff:") ? x.slice(7) : x.toLowerCase());
  return strip(a) === strip(b);
}

function sameEndpoint(a: LatchEndpoint | undefined, b: LatchEndpoint): boolean {
  return a !== undefined && a.address === b.address && a.port === b.port;
}

export class RtpSourceLatch {
  readonly options: RtpSourceLatchOptions;
  #current: LatchedSource | undefined;
  #candidate: Candidate | undefined;
  #announced: LatchEndpoint | undefined;
  /** Plain-RTP packets from another source, dropped because it had not proven a switch. */
  rejected = 0;
  /** Times the latched source changed (the first latch included). */
  switches = 0;

  constructor(options: Partial<RtpSourceLatchOptions> = {}) {
    this.options = { ...defaultRtpSourceLatchOptions, ...options };
  }

  /** The source we play and answer, once one was latched. */
  get source(): LatchEndpoint | undefined {
    return this.#current?.endpoint;
  }

  /**
   * A new SDP address (first configure, or a re-INVITE moving the media): start over. The next valid
   * source latches at once, and packets from the announced address may always take over (signalling
   * named it, so an early packet from elsewhere, e.g. the old media server, cannot lock it out).
   */
  reset(announced: LatchEndpoint | undefined): void {
    this.#current = undefined;
    this.#candidate = undefined;
    this.#announced = announced;
  }

  /**
   * Before the packet is played: may it be? `authenticated` is true when SRTP verified it. Packets
   * from the latched source always may; the packet that completes a proven switch may too (confirm()
   * then moves the latch). Everything else from another source is counted and refused.
   */
  admit(from: LatchEndpoint, packet: LatchPacket, arrivalMs: number, authenticated: boolean): boolean {
    const current = this.#current;
    if (current === undefined || sameEndpoint(current.endpoint, from)) return true;
    if (authenticated || sameEndpoint(this.#announced, from)) return true;
    if (this.#provesSwitch(current, from, packet, arrivalMs)) return true;
    this.rejected++;
    return false;
  }

  /**
   * Plain RTCP proves nothing either, and its BYE ends the peer's stream: it is taken only from the
   * host we play (the latched source's address; its port may differ, RTCP on port + 1) or, before
   * any latch, from the host the SDP announced. SRTCP is authenticated and needs no such check.
   */
  admitsRtcpFrom(address: string): boolean {
    const host = this.#current?.endpoint.address ?? this.#announced?.address;
    return host === undefined || host === address || sameHost(host, address);
  }

  /**
   * After the packet was accepted as valid (right payload type and SSRC): it is from the latched
   * source, or it latches/moves the latch to its source. Returns true when the source changed.
   */
  confirm(from: LatchEndpoint, packet: LatchPacket, arrivalMs: number): boolean {
    const current = this.#current;
    if (current === undefined || !sameEndpoint(current.endpoint, from)) {
      this.#current = {
        endpoint: { address: from.address, port: from.port },
        ssrc: packet.ssrc,
        highestSeq: packet.sequenceNumber,
        lastHeardMs: arrivalMs,
      };
      this.#candidate = undefined;
      this.switches++;
      return true;
    }
    if (current.ssrc !== packet.ssrc) {
      // RFC 3550 8.2: a new SSRC from the same place is a restarted source; its numbers start afresh.
      current.ssrc = packet.ssrc;
      current.highestSeq = packet.sequenceNumber;
    } else if (seqDiff(packet.sequenceNumber, current.highestSeq) > 0) {
      current.highestSeq = packet.sequenceNumber;
    }
    current.lastHeardMs = arrivalMs;
    return false;
  }

  #provesSwitch(
    current: LatchedSource,
    from: LatchEndpoint,
    packet: LatchPacket,
    arrivalMs: number,
  ): boolean {
    const o = this.options;
    const seq = packet.sequenceNumber;
    const candidate = this.#candidate;
    if (
      candidate !== undefined &&
      sameEndpoint(candidate.endpoint, from) &&
      candidate.ssrc === packet.ssrc &&
      seq === seqAdd(candidate.lastSeq, 1)
    ) {
      candidate.lastSeq = seq;
      candidate.run++;
    } else if (packet.ssrc === current.ssrc) {
      // The first packet of a run must continue the stream: a little ahead of the highest number heard.
      const ahead = seqDiff(seq, current.highestSeq);
      this.#candidate =
        ahead > 0 && ahead <= o.maxSequenceJump
          ? { endpoint: { address: from.address, port: from.port }, ssrc: packet.ssrc, lastSeq: seq, run: 1 }
          : undefined;
    } else {
      this.#candidate = {
        endpoint: { address: from.address, port: from.port },
        ssrc: packet.ssrc,
        lastSeq: seq,
        run: 1,
      };
    }
    const run = this.#candidate;
    if (run === undefined || run.run < o.switchAfterPackets) return false;
    const quietMs = arrivalMs - current.lastHeardMs;
    if (run.ssrc !== current.ssrc) return quietMs >= o.newSsrcAfterQuietMs;
    // The latched stream may have moved on meanwhile: the run must still be ahead of it.
    return quietMs >= o.switchAfterQuietMs && seqDiff(seq, current.highestSeq) > 0;
  }
}
