import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadConfig } from "../../config/index.js";
import { runDoctor } from "./doctor-command.js";
import { pocketsphinxDoctorChecks } from "./pocketsphinx-doctor.js";
import {
  defaultPocketsphinxModelDir,
  pocketsphinxModelDir,
  pocketsphinxModelDirEnv,
  pocketsphinxModelIn,
} from "./pocketsphinx-model.js";

describe("pocketsphinx model folder", () => {
  test("stt.modelDir, then the environment, then Debian's folder", () => {
    const env = { [pocketsphinxModelDirEnv]: "/from/env" };
    assert.equal(
      pocketsphinxModelDir({ provider: "pocketsphinx", modelDir: "/from/config" }, env),
      "/from/config",
    );
    assert.equal(pocketsphinxModelDir({ provider: "pocketsphinx" }, env), "/from/env");
    assert.equal(
      pocketsphinxModelDir({ provider: "pocketsphinx", modelDir: "" }, {}),
      defaultPocketsphinxModelDir,
    );
    assert.deepEqual(pocketsphinxModelIn("/m"), {
      hmm: "/m/en-us",
      lm: "/m/en-us.lm.bin",
      dict: "/m/cmudict-en-us.dict",
    });
  });

  test("doctor checks each agent's folder: a complete one passes, a missing one fails with the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringagent-model-"));
    try {
      const good = join(dir, "good");
      mkdirSync(join(good, "en-us"), { recursive: true });
      writeFileSync(join(good, "en-us.lm.bin"), "");
      writeFileSync(join(good, "cmudict-en-us.dict"), "");
      const config = loadConfig({
        env: {},
        text: [
          "lines: [{ name: dev, kind: local, agent: a }]",
          "agents:",
          `  a: { stt: { provider: pocketsphinx, modelDir: ${JSON.stringify(good)} } }`,
          "  b: { stt: { provider: pocketsphinx } }",
          "",
        ].join("\n"),
      });
      const missing = join(dir, "missing");
      const checks = pocketsphinxDoctorChecks(config, {
        env: { [pocketsphinxModelDirEnv]: missing },
        load: () => ({ close: () => undefined }),
      });
      const out: string[] = [];
      assert.equal(await runDoctor(checks, { out: (t) => out.push(t) }), 1);
      const text = out.join("");
      assert.match(text, new RegExp(`PASS {2}engine pocketsphinx model: ${good} present`));
      assert.match(
        text,
        new RegExp(
          `FAIL {2}engine pocketsphinx model: the en-us model is missing in ${missing} \\(no hmm, lm, dict\\)\\n {6}fix: apt-get install pocketsphinx-en-us`,
        ),
      );
      assert.match(text, /PASS {2}engine pocketsphinx addon: addon loads/);
      assert.match(text, /doctor: 1 check\(s\) failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
