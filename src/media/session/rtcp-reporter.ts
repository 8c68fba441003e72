/**
 * RTCP for one media session, a pure core: builds our compound report (RFC 3550 6.1: "Each
 * individual RTCP packet ... MUST [be sent] in a compound packet ... SR or RR ... SDES containing
 * CNAME") and reads the peer's (LSR for our next report, RTT and the peer's view of our stream).
 * Times come as ReportTime: wall clock for NTP fields, monotonic for LSR/DLSR delays.
 */
import { ntpMiddle32 } from "../rtcp/ntp-time.js";
import { type RtcpPacket, sdesItemType } from "../rtcp/rtcp-packet.js";
import { parseRtcpCompound } from "../rtcp/rtcp-parse.js";
import {
  buildReceiverReport,
  buildSenderReport,
  type ReportTime,
  remoteReceptionFigures,
} from "../rtcp/rtcp-report.js";
import { serializeRtcpCompound } from "../rtcp/rtcp-serialize.js";
import type { RtpReceiveStats } from "../rtp/rtp-receive-stats.js";

export interface RtcpSenderState {
  readonly ssrc: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly rtpTimestamp: number;
}

/** RFC 3550 6.2: the recommended 5 s minimum interval (we are one of two participants). */
export const defaultRtcpIntervalMs = 5000;

/** RFC 3550 6.3.1: the interval is randomised over [0.5, 1.5] times the nominal one. */
export function randomizedRtcpIntervalMs(nominalMs: number, random: () => number = Math.random): number {
  return nominalMs * (0.5 + random());
}

export class RtcpReporter {
  readonly cname: string;
  /** Latest RTT from a report block about our stream. */
  roundTripTimeMs: number | undefined;
  /** The peer's view of our stream (fraction 0..1, jitter in ms). */
  remoteFractionLost: number | undefined;
  remoteCumulativeLost: number | undefined;
  remoteJitterMs: number | undefined;
  reportsSent = 0;
  reportsReceived = 0;
  malformed = 0;
  byeReceived = false;
  #packetCountAtLastReport = -1;

  constructor(cname: string) {
    this.cname = cname;
  }

  /** SR when we sent RTP since the last report (RFC 3550 6.4), else RR; then SDES CNAME. */
  buildReport(sender: RtcpSenderState, source: RtpReceiveStats | undefined, time: ReportTime): Uint8Array {
    const sources = source === undefined ? [] : [source];
    const sentSince = sender.packetCount !== this.#packetCountAtLastReport && sender.packetCount > 0;
    this.#packetCountAtLastReport = sender.packetCount;
    const report: RtcpPacket = sentSince
      ? buildSenderReport(sender, sources, time)
      : buildReceiverReport(sender.ssrc, sources, time);
    this.reportsSent++;
    return serializeRtcpCompound([
      report,
      {
        kind: "sdes",
        chunks: [{ ssrc: sender.ssrc, items: [{ type: sdesItemType.cname, value: this.cname }] }],
      },
    ]);
  }

  /** RFC 3550 6.6: BYE (with the RR and SDES a compound packet needs). */
  buildBye(sender: RtcpSenderState, source: RtpReceiveStats | undefined, time: ReportTime): Uint8Array {
    const report = buildReceiverReport(sender.ssrc, source === undefined ? [] : [source], time);
    return serializeRtcpCompound([
      report,
      {
        kind: "sdes",
        chunks: [{ ssrc: sender.ssrc, items: [{ type: sdesItemType.cname, value: this.cname }] }],
      },
      { kind: "bye", ssrcs: [sender.ssrc] },
    ]);
  }

  /**
   * Reads one received compound packet (already SRTCP-unprotected). Never throws; false when malformed.
   * `source` gets the LSR of the peer's SR; report blocks about `ourSsrc` give RTT and remote loss.
   */
  handle(
    buf: Uint8Array,
    ourSsrc: number,
    ourClockRateHz: number,
    source: RtpReceiveStats | undefined,
    arrival: ReportTime,
  ): boolean {
    const parsed = parseRtcpCompound(buf);
    if (!parsed.ok) {
      this.malformed++;
      return false;
    }
    this.reportsReceived++;
    for (const p of parsed.packets) {
      if (p.kind === "sr" || p.kind === "rr") {
        if (p.kind === "sr" && source !== undefined && p.ssrc === source.ssrc) {
          source.recordSenderReport(ntpMiddle32(p.ntpTimestamp), arrival.nowMs);
        }
        for (const block of p.reports) {
          if (block.ssrc !== ourSsrc) continue;
          const figures = remoteReceptionFigures(block, ourClockRateHz, arrival.epochMs);
          this.remoteFractionLost = figures.fractionLost;
          this.remoteCumulativeLost = figures.cumulativeLost;
          this.remoteJitterMs = figures.jitterMs;
          if (figures.roundTripTimeMs !== undefined) this.roundTripTimeMs = figures.roundTripTimeMs;
        }
      } else if (p.kind === "bye") {
        this.byeReceived = true;
      }
    }
    return true;
  }
}
