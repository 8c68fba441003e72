/**
 * Reads the media session's counters when the implementation exposes them (the RTP session does;
 * fakes need not): the jitter buffer's target depth for wire-to-wire, and loss/lateness/jitter for
 * the metrics at the end of a call. Read structurally, so the telephony port stays small.
 */
import type { Call } from "../../telephony/index.js";
import type { AgentMetrics } from "./agent-ports.js";

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object" || !(name in value)) return undefined;
  return Reflect.get(value, name);
}

function numberField(value: unknown, name: string): number | undefined {
  const v = field(value, name);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** The session's stats() result, or undefined when it has none. */
export function mediaStats(media: object): unknown {
  const stats = field(media, "stats");
  if (typeof stats !== "function") return undefined;
  try {
    const result: unknown = Reflect.apply(stats, media, []);
    return result;
  } catch {
    return undefined;
  }
}

/** How long caller audio waits in our jitter buffer before the pipeline hears it (ms; 0 if unknown). */
export function inboundDelayMs(media: object): number {
  const jitter = field(mediaStats(media), "jitterBuffer");
  return numberField(jitter, "targetDepthMs") ?? 0;
}

/** Reports the call's RTP figures once, at its end. */
export function reportMediaStats(call: Call, metrics: AgentMetrics): void {
  const stats = mediaStats(call.media);
  if (stats === undefined) return;
  const line = call.lineName;
  const lost = numberField(stats, "packetsLost");
  const late = numberField(stats, "late");
  const jitterMs = numberField(stats, "jitterMs");
  if (lost !== undefined) metrics.rtpPacketsLost(line, lost);
  if (late !== undefined) metrics.rtpPacketsLate(line, late);
  if (jitterMs !== undefined) metrics.rtpJitter(line, jitterMs);
}
