/**
 * `ringagent emulator` as a user runs it: a real process prints the emulator's URL and a config
 * snippet; a `ringcentral` line configured from that snippet (secrets from the printed env) logs
 * in and reads the Existing Phone's sip-info pointing where --sip-tls said; SIGTERM (by PID) stops it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/index.js";
import { RingCentralLine } from "../../src/ringcentral/index.js";
import { fastRetry } from "../ringcentral/rc-fixture.js";

const root = join(import.meta.dirname, "..", "..");

test("ringagent emulator prints how to point a config at it, serves it, and stops on SIGTERM", async () => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import("./src/main.ts").then(async (m) => { process.exitCode = await m.main(${JSON.stringify([
        "emulator",
        "--port",
        "0",
        "--sip-tls",
        "127.0.0.1:5061",
        "--sip-user",
        "agent",
        "--sip-password",
        "agentpw",
      ])}); })`,
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let line: RingCentralLine | undefined;
  try {
    const deadline = Date.now() + 30_000;
    while (!stdout.includes("ringagent start -c ringagent.yaml")) {
      if (Date.now() > deadline) throw new Error(`no banner within 30 s: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /RingCentral emulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    assert.ok(url, stdout);
    assert.match(stdout, /registers as agent@127\.0\.0\.1 via TLS 127\.0\.0\.1:5061/);

    // The printed snippet is a valid config once its ${VARS} come from the printed command line.
    const lines = stdout.split("\n");
    const from = lines.indexOf("Point a config at it (ringagent.yaml):");
    const to = lines.indexOf("and run it with:");
    const yaml = lines
      .slice(from + 1, to)
      .map((l) => l.slice(2))
      .join("\n");
    const envLine = lines[to + 1] ?? "";
    const env = Object.fromEntries(
      [...envLine.matchAll(/(RC_[A-Z_]+)=(\S+)/g)].map((m): [string, string] => [m[1] ?? "", m[2] ?? ""]),
    );
    const dir = mkdtempSync(join(tmpdir(), "ringagent-emu-cli-"));
    try {
      const file = join(dir, "ringagent.yaml");
      writeFileSync(file, `${yaml}\n`);
      const config = loadConfig({ path: file, env });
      const rcLine = config.lines[0];
      assert.ok(rcLine?.kind === "ringcentral", "the snippet configures a ringcentral line");
      assert.equal(rcLine.ringcentral.server, url);
      line = new RingCentralLine({
        server: rcLine.ringcentral.server,
        clientId: rcLine.ringcentral.clientId,
        clientSecret: rcLine.ringcentral.clientSecret,
        jwt: rcLine.ringcentral.jwt,
        region: rcLine.ringcentral.region,
        events: "none",
        retry: fastRetry,
      });
      const { sip } = await line.start();
      assert.equal(sip.username, "agent");
      assert.equal(sip.authorizationId, "agent");
      assert.equal(sip.password, "agentpw");
      assert.deepEqual(sip.outboundProxy, { host: "127.0.0.1", port: 5061 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await line?.stop();
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
  }
  assert.equal(await exited, 0, "SIGTERM stops it cleanly");
});
