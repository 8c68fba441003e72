import assert from "node:assert/strict";
import { test } from "node:test";
import { createMetrics } from "./metrics.js";

function sampleValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("every issue-7 series is exported with the values recorded", async () => {
  const { registry, recorder } = createMetrics({ processMetrics: false });
  recorder.callStarted("main");
  recorder.callStarted("main");
  recorder.callEnded("main", "completed");
  recorder.turnLatency("main", {
    wireToWireMs: 900,
    endpointingMs: 300,
    sttFinalMs: null,
    llmFirstTokenMs: 250,
  });
  recorder.bargeIn("main");
  recorder.rtpPacketsLost("main", 3);
  recorder.rtpPacketsLate("main", 2);
  recorder.rtpJitter("main", 4.5);
  recorder.srtpAuthFailures("main", 1);
  recorder.sipResponse(200, "received");
  recorder.sipResponse(486, "sent");
  recorder.registrationState("main", true);
  recorder.registrationState("trunk", false);
  recorder.providerError("deepgram", "stt");
  recorder.providerLatency("flite", "tts", 80);
  const text = await registry.metrics();
  const expect: Array<[string, number]> = [
    ['ringagent_calls_active{line="main"}', 1],
    ['ringagent_calls_total{line="main",outcome="completed"}', 1],
    ['ringagent_turn_wire_to_wire_ms_count{line="main"}', 1],
    ['ringagent_turn_wire_to_wire_ms_sum{line="main"}', 900],
    ['ringagent_turn_wire_to_wire_ms_bucket{le="1000",line="main"}', 1],
    ['ringagent_turn_wire_to_wire_ms_bucket{le="750",line="main"}', 0],
    ['ringagent_turn_stage_ms_sum{line="main",stage="endpointing"}', 300],
    ['ringagent_turn_stage_ms_sum{line="main",stage="llm_first_token"}', 250],
    ['ringagent_barge_ins_total{line="main"}', 1],
    ['ringagent_rtp_packets_lost_total{line="main"}', 3],
    ['ringagent_rtp_packets_late_total{line="main"}', 2],
    ['ringagent_rtp_jitter_ms_sum{line="main"}', 4.5],
    ['ringagent_srtp_auth_failures_total{line="main"}', 1],
    ['ringagent_sip_responses_total{code="200",direction="received"}', 1],
    ['ringagent_sip_responses_total{code="486",direction="sent"}', 1],
    ['ringagent_registration_up{line="main"}', 1],
    ['ringagent_registration_up{line="trunk"}', 0],
    ['ringagent_provider_errors_total{provider="deepgram",kind="stt"}', 1],
    ['ringagent_provider_latency_ms_sum{provider="flite",kind="tts"}', 80],
  ];
  for (const [series, value] of expect) assert.equal(sampleValue(text, series), value, series);
  assert.equal(sampleValue(text, 'ringagent_turn_stage_ms_count{line="main",stage="stt_final"}'), undefined);
  for (const name of [
    "ringagent_calls_active",
    "ringagent_provider_latency_ms",
    "ringagent_registration_up",
  ]) {
    assert.match(text, new RegExp(`# TYPE ${name} `));
  }
});

test("invalid counts and latencies are ignored; registries are independent; process metrics optional", async () => {
  const a = createMetrics();
  const b = createMetrics({ processMetrics: false });
  a.recorder.rtpPacketsLost("main", -5);
  a.recorder.rtpPacketsLost("main", Number.NaN);
  a.recorder.providerLatency("x", "llm", Number.POSITIVE_INFINITY);
  const textA = await a.registry.metrics();
  assert.doesNotMatch(textA, /ringagent_rtp_packets_lost_total\{/);
  assert.doesNotMatch(textA, /ringagent_provider_latency_ms_count\{/);
  assert.match(textA, /ringagent_process_cpu_seconds_total/);
  assert.doesNotMatch(await b.registry.metrics(), /process_cpu/);
});
