/**
 * Pure RTCP core for one media session: receive statistics per remote SSRC, what the peer reports
 * about our stream (loss, jitter, RTT), and the compound report we send (SR or RR + SDES CNAME,
 * RFC 3550 6.1). No sockets, no timers: the adapter calls it with packets and times and sends
 * what `buildReport` returns every `rtcpReportIntervalMs`.
 */
import { RtpReceiveStats } from "../rtp/rtp-receive-stats.js";
import { ntpMiddle32 } from "./ntp-time.js";
import { type RtcpPacket, type RtcpReportBlock, sdesItemType } from "./rtcp-packet.js";
import {
  buildReceiverReport,
  buildSenderReport,
  type RemoteReceptionFigures,
  type ReportTime,
  type RtpSenderCounters,
  remoteReceptionFigures,
} from "./rtcp-report.js";

export interface RtcpSessionOptions {
  /** Our SSRC (sender of the SR/RR and SDES). */
  readonly localSsrc: number;
  /** RFC 3550 6.5.1 CNAME: random per call, never a phone number or SIP user. */
  readonly cname: string;
  /** Clock rate of the media we receive and send (8000 for PCMU, 48000 for Opus). */
  readonly clockRateHz: number;
  /** Most remote sources tracked (default 8); more are ignored and counted. */
  readonly maxSources?: number;
}

/** Loss and jitter we measured for one remote source. */
export interface LocalReceptionFigures {
  readonly ssrc: number;
  readonly received: number;
  readonly cumulativeLost: number;
  readonly jitterMs: number;
}

/** RFC 3550 6.2: minimum interval 5 s; 6.3.1 randomizes it over [0.5, 1.5] times. */
export function rtcpReportIntervalMs(random: number, baseMs = 5000): number {
  return baseMs * (0.5 + Math.min(1, Math.max(0, random)));
}

export class RtcpSessionState {
  readonly #options: RtcpSessionOptions;
  readonly #sources = new Map<number, RtpReceiveStats>();
  #remote: RemoteReceptionFigures | undefined;
  /** Remote sources ignored beyond `maxSources`. */
  ignoredSources = 0;
  /** SSRCs the peer said BYE for. */
  readonly byeSsrcs = new Set<number>();

  constructor(options: RtcpSessionOptions) {
    this.#options = options;
  }

  /** Records one received RTP packet (`nowMs` monotonic). Returns false when the source is not (yet) valid. */
  onRtpPacket(ssrc: number, sequenceNumber: number, rtpTimestamp: number, nowMs: number): boolean {
    let stats = this.#sources.get(ssrc);
    if (stats === undefined) {
      if (this.#sources.size >= (this.#options.maxSources ?? 8)) {
        this.ignoredSources++;
        return false;
      }
      stats = new RtpReceiveStats(ssrc, this.#options.clockRateHz);
      this.#sources.set(ssrc, stats);
    }
    return stats.onPacket(sequenceNumber, rtpTimestamp, nowMs);
  }

  /** Takes in a parsed compound RTCP packet from the peer. */
  onRtcpPackets(packets: readonly RtcpPacket[], time: ReportTime): void {
    for (const p of packets) {
      switch (p.kind) {
        case "sr":
          // RFC 3550 6.4.1 LSR: "the middle 32 bits out of 64 in the NTP timestamp ... received as part
          // of the most recent RTCP sender report (SR) packet from source SSRC_n".
          this.#sources.get(p.ssrc)?.recordSenderReport(ntpMiddle32(p.ntpTimestamp), time.nowMs);
          this.#takeBlocks(p.reports, time);
          break;
        case "rr":
          this.#takeBlocks(p.reports, time);
          break;
        case "bye":
          for (const ssrc of p.ssrcs) this.byeSsrcs.add(ssrc);
          break;
        case "sdes":
        case "unknown":
          break;
      }
    }
  }

  #takeBlocks(blocks: readonly RtcpReportBlock[], time: ReportTime): void {
    for (const block of blocks) {
      if (block.ssrc === this.#options.localSsrc) {
        this.#remote = remoteReceptionFigures(block, this.#options.clockRateHz, time.epochMs);
      }
    }
  }

  /**
   * The compound packet to send now: SR when `sender` is given (we sent RTP since the last report),
   * else RR, followed by SDES CNAME (RFC 3550 6.1: "each compound RTCP packet MUST include ... CNAME").
   */
  buildReport(time: ReportTime, sender?: Omit<RtpSenderCounters, "ssrc">): RtcpPacket[] {
    const sources = [...this.#sources.values()];
    const report =
      sender === undefined
        ? buildReceiverReport(this.#options.localSsrc, sources, time)
        : buildSenderReport({ ...sender, ssrc: this.#options.localSsrc }, sources, time);
    return [
      report,
      {
        kind: "sdes",
        chunks: [
          {
            ssrc: this.#options.localSsrc,
            items: [{ type: sdesItemType.cname, value: this.#options.cname }],
          },
        ],
      },
    ];
  }

  /** A BYE compound for hang-up (RFC 3550 6.6: still led by an RR). */
  buildBye(time: ReportTime): RtcpPacket[] {
    return [...this.buildReport(time), { kind: "bye", ssrcs: [this.#options.localSsrc] }];
  }

  /** What we measured about each remote source. */
  localFigures(): LocalReceptionFigures[] {
    return [...this.#sources.values()].map((s) => ({
      ssrc: s.ssrc,
      received: s.received,
      cumulativeLost: s.cumulativeLost,
      jitterMs: s.jitterMs,
    }));
  }

  /** What the peer last reported about our stream (undefined before its first report). */
  get remoteFigures(): RemoteReceptionFigures | undefined {
    return this.#remote;
  }
}
