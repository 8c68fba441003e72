import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  LlamaCppLlmProvider,
  LlamaCppModelMissingError,
  LlamaCppNotInstalledError,
  toLlamaHistory,
} from "./llama-cpp-llm.js";

describe("llama-cpp provider", () => {
  test("a missing model file is a typed error naming the path", () => {
    const path = join(tmpdir(), "ringagent-no-such-model.gguf");
    assert.throws(
      () => new LlamaCppLlmProvider({ modelPath: path }),
      (e: unknown) =>
        e instanceof LlamaCppModelMissingError && e.code === "llm_model_missing" && e.message.includes(path),
    );
  });

  test("without node-llama-cpp installed, the error names the install command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringagent-gguf-"));
    try {
      const path = join(dir, "model.gguf");
      writeFileSync(path, "GGUF");
      const llm = new LlamaCppLlmProvider({
        modelPath: path,
        packageName: "node-llama-cpp-not-installed-here",
      });
      await assert.rejects(
        llm.prepare(),
        (e: unknown) =>
          e instanceof LlamaCppNotInstalledError &&
          e.code === "llm_engine_missing" &&
          e.message.includes("npm install node-llama-cpp"),
      );
      // The stream fails the same way (and can be retried later).
      const stream = llm.stream({
        messages: [{ role: "user", content: "hi" }],
        tools: [],
        signal: new AbortController().signal,
      });
      await assert.rejects(async () => {
        for await (const _ of stream) assert.fail("no tokens expected");
      }, LlamaCppNotInstalledError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("history maps to node-llama-cpp's, the last user message becoming the prompt", () => {
    assert.deepEqual(
      toLlamaHistory(
        [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello." },
          { role: "user", content: "Hours?" },
        ],
        "Be brief.",
      ),
      {
        history: [
          { type: "system", text: "Be brief." },
          { type: "user", text: "Hi" },
          { type: "model", response: ["Hello."] },
        ],
        prompt: "Hours?",
      },
    );
  });
});
