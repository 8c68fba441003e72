/**
 * Issue 7 acceptance: `ringagent doctor` through the real CLI (a child process running main()) on
 * good and broken setups with real peers — Kamailio as the registrar of a `sip-account` line, a
 * `local` line on a free port, the offline engines (pocketsphinx, flite) and SQLite in a temp dir:
 *  - good setup -> exit 0, every check PASS (including one real REGISTER, then unregister);
 *  - wrong password -> exit 1, "line pbx: registration" FAIL (registrar rejected the credentials)
 *    with the fix naming the line's credential fields; the password never printed;
 *  - missing pocketsphinx model (RINGAGENT_POCKETSPHINX_MODEL_DIR at an empty folder) -> exit 1,
 *    the model FAIL with the apt-get fix, the addon check not blamed.
 * The expired-JWT case (RingCentral emulator) is covered in test/ringcentral-e2e/doctor.test.ts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type KamailioInstance, requireTools, TestBed } from "../bed/index.js";
import { locationStatus } from "./location-probe.js";

const root = join(import.meta.dirname, "..", "..");
const password = "agentpw";

/** Runs `ringagent doctor --config FILE` in a child process; resolves with exit code and stdout. */
async function doctor(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(["doctor", "--config", file])}); })`,
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  assert.equal(err.replace(/^npm warn.*\n/gm, ""), "", "nothing on stderr");
  return { code, out };
}

describe("ringagent doctor against real peers", () => {
  const bed = new TestBed("ringagent-doctor-");
  let kam: KamailioInstance;
  let config: string;

  before(async () => {
    requireTools(["kamailio", "flite"]);
    kam = await bed.kamailio();
    const dir = await bed.path("service");
    config = join(dir, "ringagent.yaml");
    writeFileSync(
      config,
      [
        "lines:",
        "  - name: pbx",
        "    kind: sip-account",
        `    registrar: ${kam.host}:${kam.sipPort}`,
        "    username: agent",
        '    password: "${PBX_PASSWORD}"',
        "    listen: udp:127.0.0.1:0",
        "    agent: receptionist",
        "  - name: dev",
        "    kind: local",
        "    listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0']",
        "    agent: receptionist",
        "agents:",
        "  receptionist: { kind: conversation }",
        "http: { enabled: false }",
        `store: { kind: sqlite, path: ${JSON.stringify(join(dir, "calls.db"))} }`,
        `recordings: { enabled: true, dir: ${JSON.stringify(join(dir, "recordings"))} }`,
        "log: { level: silent }",
        "",
      ].join("\n"),
    );
  });
  after(() => bed.close());

  test("good setup: exit 0 and every check passes, one of them a real REGISTER", async () => {
    const { code, out } = await doctor(config, { PBX_PASSWORD: password });
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /^(FAIL|WARN)/m, out);
    for (const name of [
      "config",
      "store \\(sqlite\\)",
      "line dev: listen udp:127\\.0\\.0\\.1:0",
      "line pbx: registrar",
      "line pbx: registration",
      "engine flite \\(TTS\\)",
      "engine pocketsphinx model",
      "engine pocketsphinx addon",
      "recordings dir",
    ])
      assert.match(out, new RegExp(`^PASS {2}${name}`, "m"), `${name} checked:\n${out}`);
    assert.match(
      out,
      new RegExp(
        `PASS {2}line pbx: registration: registered at 127\\.0\\.0\\.1:${kam.sipPort} over udp; the probe then unregisters`,
      ),
    );
    assert.match(out, /doctor: all checks passed/);
    // The probe unregistered its binding before it exited.
    assert.equal(await locationStatus(kam), 404);
  });

  test("wrong password: exit 1, the registration FAIL names the credential fields; no secret printed", async () => {
    const wrong = "not-the-password";
    const { code, out } = await doctor(config, { PBX_PASSWORD: wrong });
    assert.equal(code, 1, out);
    assert.match(
      out,
      /^FAIL {2}line pbx: registration: the registrar rejected the credentials \((401|403|407)\)\n {6}fix: check username\/authUsername\/password for line pbx$/m,
    );
    assert.match(out, /doctor: 1 check\(s\) failed/);
    assert.ok(!out.includes(wrong), "the password is never printed");
  });

  test("missing pocketsphinx model: exit 1, the model FAIL with the apt-get fix", async () => {
    const empty = await bed.path("no-model");
    mkdirSync(join(empty, "en-us"), { recursive: true }); // acoustic model folder alone: lm and dict missing
    const { code, out } = await doctor(config, {
      PBX_PASSWORD: password,
      RINGAGENT_POCKETSPHINX_MODEL_DIR: empty,
    });
    assert.equal(code, 1, out);
    assert.match(
      out,
      new RegExp(
        `^FAIL {2}engine pocketsphinx model: the en-us model is missing in ${empty} \\(no lm, dict\\)\\n {6}fix: apt-get install pocketsphinx-en-us`,
        "m",
      ),
    );
    assert.match(out, /^WARN {2}engine pocketsphinx addon: not loaded: the model is missing/m);
    assert.match(out, /^PASS {2}line pbx: registration/m);
    assert.match(out, /doctor: 1 check\(s\) failed/);
  });
});
