/**
 * Pure helpers that turn counters and receive statistics into SR/RR packets, and received report
 * blocks into round-trip time (RFC 3550 6.4).
 */
import type { RtpReceiveStats } from "../rtp/rtp-receive-stats.js";
import { ntpFromUnixMs, ntpMiddle32, ntpShortToMs } from "./ntp-time.js";
import type { RtcpReceiverReport, RtcpReportBlock, RtcpSenderReport } from "./rtcp-packet.js";

/** What a sender has sent so far on one SSRC (RFC 3550 6.4.1 sender info). */
export interface RtpSenderCounters {
  readonly ssrc: number;
  readonly packetCount: number;
  readonly octetCount: number;
  /** RTP timestamp corresponding to `nowMs` (same clock as the media). */
  readonly rtpTimestamp: number;
}

/**
 * When a report is built: `epochMs` (wall clock, Clock.epochMs) goes into the SR's NTP timestamp;
 * `nowMs` (monotonic, Clock.nowMs) measures DLSR against the arrival times given to
 * `RtpReceiveStats.recordSenderReport`, which must come from the same monotonic clock.
 */
export interface ReportTime {
  readonly epochMs: number;
  readonly nowMs: number;
}

/**
 * Builds one report block from a source's stats at `nowMs` and closes the stats' report interval
 * (RFC 3550 A.3), so call it once per report sent.
 */
export function reportBlockFromStats(stats: RtpReceiveStats, nowMs: number): RtcpReportBlock {
  const interval = stats.takeReportInterval();
  return {
    ssrc: stats.ssrc,
    fractionLost: interval.fractionLost,
    cumulativeLost: interval.cumulativeLost,
    extendedHighestSequence: stats.extendedHighestSequence >>> 0,
    jitter: stats.jitterTimestampUnits >>> 0,
    lastSenderReport: stats.lastSenderReportNtpMiddle,
    delaySinceLastSenderReport: stats.delaySinceLastSenderReport(nowMs),
  };
}

/** RFC 3550 6.4: report blocks only for sources that passed probation; at most 31 per packet. */
function blocks(sources: readonly RtpReceiveStats[], nowMs: number): RtcpReportBlock[] {
  const out: RtcpReportBlock[] = [];
  for (const s of sources) {
    if (out.length === 31) break;
    if (s.valid) out.push(reportBlockFromStats(s, nowMs));
  }
  return out;
}

/** An SR at `time` with report blocks for `sources` (RFC 3550 6.4.1). */
export function buildSenderReport(
  sender: RtpSenderCounters,
  sources: readonly RtpReceiveStats[],
  time: ReportTime,
): RtcpSenderReport {
  return {
    kind: "sr",
    ssrc: sender.ssrc,
    ntpTimestamp: ntpFromUnixMs(time.epochMs),
    rtpTimestamp: sender.rtpTimestamp >>> 0,
    packetCount: sender.packetCount >>> 0,
    octetCount: sender.octetCount >>> 0,
    reports: blocks(sources, time.nowMs),
  };
}

/** An RR (we sent nothing since the last report) for `sources`. */
export function buildReceiverReport(
  ssrc: number,
  sources: readonly RtpReceiveStats[],
  time: ReportTime,
): RtcpReceiverReport {
  return { kind: "rr", ssrc, reports: blocks(sources, time.nowMs) };
}

/**
 * Round-trip time from a report block about our stream that arrived at wall-clock `arrivalUnixMs`
 * (the same clock our SRs' NTP timestamps came from)
 * (RFC 3550 6.4.1: RTT = A - LSR - DLSR in 16.16 seconds). Undefined when the peer has not
 * received an SR from us (LSR 0) or the result is negative (clock skew, garbage).
 */
export function roundTripTimeMs(block: RtcpReportBlock, arrivalUnixMs: number): number | undefined {
  if (block.lastSenderReport === 0) return undefined;
  const arrival = ntpMiddle32(ntpFromUnixMs(arrivalUnixMs));
  const rtt = (arrival - block.lastSenderReport - block.delaySinceLastSenderReport) | 0;
  if (rtt < 0) return undefined;
  return ntpShortToMs(rtt);
}

/** Loss, jitter and RTT read from one received report block, in the units the rest of the code uses. */
export interface RemoteReceptionFigures {
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly jitterMs: number;
  readonly roundTripTimeMs: number | undefined;
}

/** Figures a peer reports about our stream (clockRateHz of our stream converts jitter to ms). */
export function remoteReceptionFigures(
  block: RtcpReportBlock,
  clockRateHz: number,
  arrivalUnixMs: number,
): RemoteReceptionFigures {
  return {
    fractionLost: block.fractionLost / 256,
    cumulativeLost: block.cumulativeLost,
    jitterMs: (block.jitter * 1000) / clockRateHz,
    roundTripTimeMs: roundTripTimeMs(block, arrivalUnixMs),
  };
}
