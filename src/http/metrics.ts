/**
 * The process's Prometheus metrics (issue 7): one prom-client `Registry` made by `createMetrics()`
 * in main.ts, served at `/metrics`, and a typed recorder (`RingagentMetrics`) that main hands to the
 * layers producing the values. Those layers should declare the small interface they need (e.g. a
 * `CallMetrics` with `callStarted`/`callEnded` in telephony) which this recorder satisfies
 * structurally, so no layer below http imports prom-client or this file.
 *
 * Names: `ringagent_` prefix, base units in the name (`_ms`), counters end in `_total`. Labels are
 * low-cardinality only (line names, outcomes, status codes, provider names): never a call id or a
 * phone number.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type ProviderKind = "stt" | "llm" | "tts";
export type SipMessageDirection = "sent" | "received";

/** Per-turn latency parts in ms; omitted or null parts are not observed. */
export interface TurnLatencySample {
  endpointingMs?: number | null;
  sttFinalMs?: number | null;
  llmFirstTokenMs?: number | null;
  ttsFirstAudioMs?: number | null;
  wireToWireMs?: number | null;
}

export interface RingagentMetrics {
  callStarted(line: string): void;
  callEnded(line: string, outcome: string): void;
  turnLatency(line: string, latency: TurnLatencySample): void;
  bargeIn(line: string): void;
  rtpPacketsLost(line: string, count: number): void;
  rtpPacketsLate(line: string, count: number): void;
  /** One interarrival-jitter observation (RFC 3550 A.8), in ms. */
  rtpJitter(line: string, jitterMs: number): void;
  srtpAuthFailures(line: string, count: number): void;
  sipResponse(statusCode: number, direction: SipMessageDirection): void;
  registrationState(line: string, registered: boolean): void;
  providerError(provider: string, kind: ProviderKind): void;
  providerLatency(provider: string, kind: ProviderKind, latencyMs: number): void;
}

export interface Metrics {
  registry: Registry;
  recorder: RingagentMetrics;
}

export interface MetricsOptions {
  /** Also export Node process metrics (CPU, memory, event-loop lag) with the prefix (default true). */
  processMetrics?: boolean;
}

/** Buckets for turn and provider latencies, ms. */
export const latencyBucketsMs = [50, 100, 200, 300, 400, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000];
const jitterBucketsMs = [1, 2, 5, 10, 20, 40, 80, 160, 320];

const turnStages = [
  ["endpointingMs", "endpointing"],
  ["sttFinalMs", "stt_final"],
  ["llmFirstTokenMs", "llm_first_token"],
  ["ttsFirstAudioMs", "tts_first_audio"],
] as const;

function countable(count: number): boolean {
  return Number.isFinite(count) && count > 0;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "ringagent_" });

  const callsActive = new Gauge({
    name: "ringagent_calls_active",
    help: "Calls in progress",
    labelNames: ["line"],
    registers,
  });
  const callsTotal = new Counter({
    name: "ringagent_calls_total",
    help: "Calls ended, by outcome",
    labelNames: ["line", "outcome"],
    registers,
  });
  const wireToWire = new Histogram({
    name: "ringagent_turn_wire_to_wire_ms",
    help: "Caller's last voiced packet to the agent's first voiced packet, per turn (ms)",
    labelNames: ["line"],
    buckets: latencyBucketsMs,
    registers,
  });
  const turnStage = new Histogram({
    name: "ringagent_turn_stage_ms",
    help: "Turn latency breakdown by stage (ms)",
    labelNames: ["line", "stage"],
    buckets: latencyBucketsMs,
    registers,
  });
  const bargeIns = new Counter({
    name: "ringagent_barge_ins_total",
    help: "Caller barge-ins that stopped agent playout",
    labelNames: ["line"],
    registers,
  });
  const rtpLost = new Counter({
    name: "ringagent_rtp_packets_lost_total",
    help: "RTP packets lost (sequence gaps never filled)",
    labelNames: ["line"],
    registers,
  });
  const rtpLate = new Counter({
    name: "ringagent_rtp_packets_late_total",
    help: "RTP packets that arrived too late to play",
    labelNames: ["line"],
    registers,
  });
  const rtpJitter = new Histogram({
    name: "ringagent_rtp_jitter_ms",
    help: "RTP interarrival jitter observations (ms)",
    labelNames: ["line"],
    buckets: jitterBucketsMs,
    registers,
  });
  const srtpAuth = new Counter({
    name: "ringagent_srtp_auth_failures_total",
    help: "SRTP/SRTCP packets dropped for a failed authentication tag",
    labelNames: ["line"],
    registers,
  });
  const sipResponses = new Counter({
    name: "ringagent_sip_responses_total",
    help: "SIP responses by status code",
    labelNames: ["code", "direction"],
    registers,
  });
  const registration = new Gauge({
    name: "ringagent_registration_up",
    help: "1 when the line's registration is current, else 0",
    labelNames: ["line"],
    registers,
  });
  const providerErrors = new Counter({
    name: "ringagent_provider_errors_total",
    help: "STT/LLM/TTS provider errors",
    labelNames: ["provider", "kind"],
    registers,
  });
  const providerLatency = new Histogram({
    name: "ringagent_provider_latency_ms",
    help: "STT/LLM/TTS provider latency to first result (ms)",
    labelNames: ["provider", "kind"],
    buckets: latencyBucketsMs,
    registers,
  });

  const recorder: RingagentMetrics = {
    callStarted: (line) => callsActive.inc({ line }),
    callEnded: (line, outcome) => {
      callsActive.dec({ line });
      callsTotal.inc({ line, outcome });
    },
    turnLatency: (line, latency) => {
      if (typeof latency.wireToWireMs === "number") wireToWire.observe({ line }, latency.wireToWireMs);
      for (const [key, stage] of turnStages) {
        const value = latency[key];
        if (typeof value === "number") turnStage.observe({ line, stage }, value);
      }
    },
    bargeIn: (line) => bargeIns.inc({ line }),
    rtpPacketsLost: (line, count) => {
      if (countable(count)) rtpLost.inc({ line }, count);
    },
    rtpPacketsLate: (line, count) => {
      if (countable(count)) rtpLate.inc({ line }, count);
    },
    rtpJitter: (line, jitterMs) => {
      if (Number.isFinite(jitterMs) && jitterMs >= 0) rtpJitter.observe({ line }, jitterMs);
    },
    srtpAuthFailures: (line, count) => {
      if (countable(count)) srtpAuth.inc({ line }, count);
    },
    sipResponse: (statusCode, direction) => sipResponses.inc({ code: String(statusCode), direction }),
    registrationState: (line, registered) => registration.set({ line }, registered ? 1 : 0),
    providerError: (provider, kind) => providerErrors.inc({ provider, kind }),
    providerLatency: (provider, kind, latencyMs) => {
      if (Number.isFinite(latencyMs) && latencyMs >= 0)
        providerLatency.observe({ provider, kind }, latencyMs);
    },
  };
  return { registry, recorder };
}
