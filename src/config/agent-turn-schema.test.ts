import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../shared/index.js";
import { loadConfig } from "./load-config.js";
import type { AgentConfig } from "./schema.js";

const head = `
lines:
  - { name: dev, kind: local, agent: reception }
agents:
  reception:
`;

function agentOf(agentYaml: string): Extract<AgentConfig, { kind: "conversation" }> {
  const config = loadConfig({ text: head + agentYaml, path: "test.yaml", env: {} });
  const agent = config.agents.reception;
  assert.ok(agent?.kind === "conversation");
  return agent;
}

function problemsOf(agentYaml: string): readonly string[] {
  try {
    loadConfig({ text: head + agentYaml, path: "test.yaml", env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("the config was accepted");
}

describe("conversation agent vad and turn config", () => {
  test("defaults: energy VAD, nothing else set (the pipeline's defaults apply)", () => {
    const agent = agentOf("    greeting: Hi\n");
    assert.deepEqual(agent.vad, { kind: "energy" });
    assert.deepEqual(agent.turn, {});
  });

  test("every field parses", () => {
    const agent = agentOf(`
    vad: { kind: silero, threshold: 0.6, negThreshold: 0.4, startWindowMs: 64, stopWindowMs: 200, minEnergyDb: -60 }
    turn:
      endpointSilenceMs: 700
      minSpeechMs: 150
      sttFinalTimeoutMs: 1000
      maxCallerSpeechMs: 30000
      idleRepromptMs: 10000
      maxReprompts: 1
      preRollMs: 200
      bargeIn: { enabled: false, minSpeechMs: 120, falseInterruptionMs: 2000, minWords: 2, backchannels: [uh-huh, ok] }
`);
    assert.deepEqual(agent.vad, {
      kind: "silero",
      threshold: 0.6,
      negThreshold: 0.4,
      startWindowMs: 64,
      stopWindowMs: 200,
      minEnergyDb: -60,
    });
    assert.equal(agent.turn.endpointSilenceMs, 700);
    assert.equal(agent.turn.maxReprompts, 1);
    assert.deepEqual(agent.turn.bargeIn, {
      enabled: false,
      minSpeechMs: 120,
      falseInterruptionMs: 2000,
      minWords: 2,
      backchannels: ["uh-huh", "ok"],
    });
    const energy = agentOf("    vad: { thresholdDb: 9, noiseFloorRiseMs: 3000, maxHighBandRatio: 1.5 }\n");
    assert.deepEqual(energy.vad, {
      kind: "energy",
      thresholdDb: 9,
      noiseFloorRiseMs: 3000,
      maxHighBandRatio: 1.5,
    });
  });

  test("bad values name the field, the problem and the fix", () => {
    const problems = problemsOf(`
    vad: { kind: webrtc }
  second:
    vad: { kind: silero, thresholdDb: 10, threshold: 1.5, startWindowMs: 5, stopWindowMS: 100 }
  third:
    vad: { kind: energy, threshold: 0.5 }
  fifth:
    vad: { stopWindowMs: 30.5 }
  fourth:
    vad: { kind: silero, threshold: 0.3, negThreshold: 0.5 }
    turn: { endpointSilenceMs: -1, idleRepromptMs: soon, bargeIn: { minSpeechMs: 10, backchannels: [""] }, endpoint: 1 }
`);
    const expected: Array<[string, RegExp]> = [
      ["vad.kind", /"webrtc" is not allowed — fix: use one of "energy", "silero"/],
      [
        "vad.thresholdDb",
        /only the energy VAD reads it, and kind is silero — fix: remove it, or set kind: energy/,
      ],
      ["vad.threshold", /above 0.99 — fix: use a value from 0.01 to 0.99/],
      ["vad.startWindowMs", /below 20 ms — fix: use a value from 20 to 2000 ms/],
      ["vad.stopWindowMS", /unknown field — fix: did you mean "stopWindowMs"/],
      ["vad.negThreshold", /0.5 is above threshold 0.3 — fix: set negThreshold at or below threshold/],
      ["turn.endpointSilenceMs", /below 100 ms — fix:/],
      ["turn.idleRepromptMs", /expected number, got string "soon" — fix:/],
      ["turn.bargeIn.minSpeechMs", /below 20 ms — fix: use a value from 20 to 5000 ms/],
      ["turn.bargeIn.backchannels[0]", /is empty — fix: remove the empty word/],
      ["turn.endpoint", /unknown field — fix:/],
    ];
    const at = (agent: string, field: string) =>
      problems.find((p) => p.startsWith(`agents.${agent}.${field}:`));
    const byAgent: Record<string, readonly string[]> = {
      reception: ["vad.kind"],
      second: ["vad.thresholdDb", "vad.threshold", "vad.startWindowMs", "vad.stopWindowMS"],
      fourth: [
        "vad.negThreshold",
        "turn.endpointSilenceMs",
        "turn.idleRepromptMs",
        "turn.bargeIn.minSpeechMs",
        "turn.bargeIn.backchannels[0]",
        "turn.endpoint",
      ],
    };
    for (const [field, pattern] of expected) {
      const agent = Object.entries(byAgent).find(([, fields]) => fields.includes(field))?.[0] ?? "reception";
      const line = at(agent, field);
      assert.ok(line, `no problem reported for agents.${agent}.${field}; got:\n${problems.join("\n")}`);
      assert.match(line, pattern);
    }
    // The energy agent: a silero-only field; a window that is not whole ms.
    assert.match(
      problems.find((p) => p.startsWith("agents.third.vad.threshold:")) ?? "",
      /only the silero VAD reads it, and kind is energy — fix: remove it, or set kind: silero/,
    );
    assert.match(
      problems.find((p) => p.startsWith("agents.fifth.vad.stopWindowMs:")) ?? "",
      /is not a whole number — fix: write whole ms/,
    );
  });
});
