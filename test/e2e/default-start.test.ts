/**
 * `ringagent start` with no config at all: the built-in `local` line answers on udp/tcp
 * 127.0.0.1:5060 with the offline receptionist, and a softphone calling sip:agent@127.0.0.1:5060
 * hears the greeting. Skipped (with the reason) only when something else holds port 5060.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readWavFile } from "../../src/store/index.js";
import { isPortFree, requireTools, silenceWav, TestBed, wordOverlap } from "../bed/index.js";
import { transcribeSpan, voicedSpans, waitFor } from "./e2e-helpers.js";

const root = join(import.meta.dirname, "..", "..");
const greeting = "Thanks for calling. How can I help?";

describe("ringagent start with the built-in default", { timeout: 120_000 }, () => {
  requireTools(["baresip", "flite", "pocketsphinx_continuous", "sox", "soxi"]);
  let bed: TestBed;
  before(() => {
    bed = new TestBed("ringagent-e2e-default-");
  });
  after(async () => {
    await bed.close();
  });

  test("a baresip call to sip:agent@127.0.0.1:5060 hears the greeting", async (t) => {
    if (!(await isPortFree(5060, "udp")) || !(await isPortFree(5060, "tcp"))) {
      t.skip("port 5060 (udp or tcp) is taken on this machine: the built-in default cannot listen");
      return;
    }
    const work = await bed.path("cwd");
    // The default stores under ./data relative to the working directory: run in a temp dir.
    const child = spawn(
      process.execPath,
      [
        "--import",
        import.meta.resolve("tsx"),
        "-e",
        `import(${JSON.stringify(join(root, "src", "main.ts"))}).then(async (m) => { process.exitCode = await m.main(["start"]); })`,
      ],
      {
        cwd: work,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, RINGAGENT_HTTP_LISTEN: "127.0.0.1:0", RINGAGENT_LOG_LEVEL: "info" },
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor("ringagent ready", () => out.includes('"msg":"ringagent ready"'), 30_000).catch(
        (error) => {
          throw new Error(`${String(error)}; output: ${out.slice(0, 2000)}`);
        },
      );
      assert.match(out, /"config":"built-in default"/);
      const caller = await bed.baresip({
        name: "caller",
        account: { kind: "local", user: "caller" },
        sourceWav: await silenceWav(join(work, "silence.wav"), 10),
        audioCodecs: ["PCMU"],
        wideband: false,
      });
      await caller.ctrl.dial("sip:agent@127.0.0.1:5060");
      await caller.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await caller.ctrl.hangup();
      const heard = (await caller.recordings()).received[0];
      assert.ok(heard);
      const wav = await readWavFile(heard);
      const first = voicedSpans(wav, 0, { gapMs: 400 })[0];
      assert.ok(first, "the caller heard the agent");
      const text = await transcribeSpan(wav, 0, first.startS - 0.2, first.endS + 0.3, work);
      console.log(`default start: greeting at ${first.startS} s, heard as "${text}"`);
      assert.ok(first.startS < 1.5, "the greeting starts at once");
      assert.ok(wordOverlap(greeting, text) >= 0.4 && /calling/.test(text), `greeting heard as "${text}"`);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, "SIGTERM stops it cleanly");
      assert.match(out, /"msg":"ringagent stopped"/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
