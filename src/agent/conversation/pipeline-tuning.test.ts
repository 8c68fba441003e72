import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../config/index.js";
import {
  defaultBargeInOptions,
  defaultTurnOptions,
  defaultVadOptions,
  EnergyVad,
  SileroVad,
} from "../../pipeline/index.js";
import { RingagentError } from "../../shared/index.js";
import { AgentVadFactory, turnTuning, vadTuning } from "./pipeline-tuning.js";

describe("pipeline tuning from the agent config", () => {
  test("ringagent.example.yaml documents the pipeline's own defaults", () => {
    const config = loadConfig({
      path: join(import.meta.dirname, "..", "..", "..", "ringagent.example.yaml"),
      env: {
        RC_CLIENT_SECRET: "s",
        RC_JWT: "a.b.c",
        PBX_PASSWORD: "p",
        TRUNK_PASSWORD: "t",
        RINGAGENT_API_TOKEN: "x",
      },
    });
    const agent = config.agents.receptionist;
    assert.ok(agent?.kind === "conversation");
    const vad = vadTuning(agent.vad);
    assert.equal(vad.kind, "energy");
    // Every energy option the example shows equals the default (and it shows them all).
    assert.deepEqual(vad.options, { ...defaultVadOptions });
    const { turn, bargeIn } = turnTuning(agent.turn);
    assert.deepEqual(turn, { ...defaultTurnOptions });
    const { backchannels: _listed, ...bargeInDefaults } = defaultBargeInOptions;
    assert.deepEqual(bargeIn, bargeInDefaults);
  });

  test("only the fields the config sets are passed on", () => {
    assert.deepEqual(turnTuning({}), { turn: {}, bargeIn: {} });
    assert.deepEqual(turnTuning({ endpointSilenceMs: 700, bargeIn: { enabled: false } }), {
      turn: { endpointSilenceMs: 700 },
      bargeIn: { enabled: false },
    });
    assert.deepEqual(vadTuning({ kind: "silero", threshold: 0.6, stopWindowMs: 200 }), {
      kind: "silero",
      options: { threshold: 0.6, stopWindowMs: 200 },
    });
    assert.deepEqual(vadTuning({ kind: "energy" }), { kind: "energy", options: {} });
  });

  test("the VAD factory builds each call's VAD with the configured options", async () => {
    const energy = new AgentVadFactory({ kind: "energy", startWindowMs: 100 });
    await energy.prepare();
    const a = await energy.create();
    assert.ok(a instanceof EnergyVad);
    assert.equal(a.options.startWindowMs, 100);
    assert.notEqual(await energy.create(), a, "one VAD per call");

    const silero = new AgentVadFactory({ kind: "silero", threshold: 0.7 });
    await silero.prepare();
    const b = await silero.create();
    assert.ok(b instanceof SileroVad);
    assert.equal(b.options.threshold, 0.7);
    assert.ok(Math.abs(b.options.negThreshold - 0.55) < 1e-9, "negThreshold follows threshold");
    await silero.close();
  });

  test("a missing Silero model fails prepare() with the typed error", async () => {
    const factory = new AgentVadFactory({ kind: "silero" }, { modelPath: "/nonexistent/silero_vad_v5.onnx" });
    await assert.rejects(
      factory.prepare(),
      (e: unknown) => e instanceof RingagentError && e.code === "vad_silero_model_missing",
    );
    await factory.close();
  });
});
