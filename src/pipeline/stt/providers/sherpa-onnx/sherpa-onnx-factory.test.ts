import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConfigError, RingagentError } from "../../../../shared/index.js";
import { createSttProvider } from "../../../provider-setup/provider-factory.js";
import { writeTinyCtcModel } from "../../../testing/tiny-sherpa-model.js";
import { SherpaOnnxSttProvider } from "./sherpa-onnx-stt.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-factory-"));
after(() => rmSync(root, { recursive: true, force: true }));
const modelDir = writeTinyCtcModel(join(root, "tiny"));
const context = { env: {}, field: "agents.desk.stt" };

test("stt: { provider: sherpa-onnx, modelDir } builds the provider at startup, one per model", () => {
  const stt = createSttProvider({ provider: "sherpa-onnx", modelDir, numThreads: 1 }, context);
  assert.ok(stt instanceof SherpaOnnxSttProvider);
  assert.equal(stt.name, "sherpa-onnx");
  assert.equal(stt.model.type, "offline-nemo-ctc");
  assert.equal(createSttProvider({ provider: "sherpa-onnx", modelDir, numThreads: 1 }, context), stt);
  stt.close();
});

test("config errors name the field and the fix", () => {
  const problems = (options: Record<string, unknown>): string[] => {
    try {
      createSttProvider({ provider: "sherpa-onnx", ...options }, context);
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    assert.fail("expected a ConfigError");
  };
  assert.match(
    problems({}).join("\n"),
    /agents\.desk\.stt\.modelDir: set it to an unpacked sherpa-onnx ASR model folder/,
  );
  assert.match(problems({ modelDir, modelType: "whisper" }).join("\n"), /agents\.desk\.stt\.modelType/);
  assert.match(problems({ modelDir, numThreads: 0 }).join("\n"), /agents\.desk\.stt\.numThreads/);
  assert.match(problems({ modelDir, model: "x" }).join("\n"), /agents\.desk\.stt/);
});

test("a missing model folder stops startup with the fix, not the first call", () => {
  assert.throws(
    () => createSttProvider({ provider: "sherpa-onnx", modelDir: join(root, "absent") }, context),
    (error: unknown) =>
      error instanceof RingagentError &&
      error.code === "stt_sherpa_model_invalid" &&
      /absent: not found or not a folder; point stt\.modelDir at an unpacked sherpa-onnx ASR model folder/.test(
        error.message,
      ),
  );
});
