import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const root = join(import.meta.dirname, "..");

function runRingagent(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}); })`,
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

test("ringagent start with a broken config prints one line per problem and exits 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-cli-"));
  const file = join(dir, "broken.yaml");
  writeFileSync(file, "lines:\n  - { name: dev, kind: locale, agent: x }\nagents: {}\n");
  const run = runRingagent(["start", "--config", file]);
  assert.equal(await run.exited, 2);
  assert.match(run.stderr(), /lines\[0\]\.kind: string "locale" is not a known kind — fix: use one of local/);
  assert.doesNotMatch(run.stderr(), /node:internal|\.ts:\d+:\d+\)/, "no stack trace");
});

test("ringagent start runs until SIGTERM and logs JSON without secrets", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-cli-"));
  const file = join(dir, "ok.yaml");
  writeFileSync(
    file,
    [
      "lines:",
      "  - name: pbx",
      "    kind: sip-account",
      "    registrar: 127.0.0.1:5999",
      "    username: agent",
      '    password: "${PBX_PASSWORD}"',
      "    agent: echo",
      "agents: { echo: { kind: echo } }",
      "http: { listen: 127.0.0.1:0 }",
      `store: { kind: sqlite, path: ${JSON.stringify(join(dir, "calls.db"))} }`,
      "",
    ].join("\n"),
  );
  const run = runRingagent(["start", "--config", file], { PBX_PASSWORD: "hunter2-secret" });
  try {
    const deadline = Date.now() + 20_000;
    while (!run.stdout().includes("ringagent ready") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(run.stdout(), /"msg":"ringagent ready"/);
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.stdout())?.[1];
    assert.ok(url, "the HTTP API reports where it listens");
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    // Nothing answers at the line's registrar, so the service is up but not ready, and says why.
    const ready = await fetch(`${url}/readyz`);
    const readyText = await ready.text();
    assert.equal(ready.status, 503, readyText);
    assert.match(readyText, /"name":"line pbx","ok":false/);
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
  } finally {
    if (run.child.exitCode === null) run.child.kill("SIGKILL");
  }
  assert.ok(!run.stdout().includes("hunter2-secret"));
  assert.match(run.stdout(), /"msg":"ringagent stopped"/);
});
