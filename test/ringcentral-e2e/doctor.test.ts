/**
 * `ringagent doctor` on a `ringcentral` line against the emulator: JWT expiry, missing app
 * permissions (403 CMN-408), no usable device, and a device already registered elsewhere — each
 * reported with its fix — through the real CLI (config file, ${ENV} secrets, doctor output).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { baseDoctorChecks, runCli } from "../../src/cli/index.js";
import type { RingagentConfig } from "../../src/config/index.js";
import { defaultDevices, RingCentralEmulator } from "../../src/emulator/index.js";
import { SqliteCallStore } from "../../src/store/index.js";
import { fastRetry, makeJwt } from "../ringcentral/rc-fixture.js";

const dayS = 86_400;
const dirs: string[] = [];
const emulators: RingCentralEmulator[] = [];

after(async () => {
  for (const emulator of emulators) await emulator.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function emulator(): Promise<RingCentralEmulator> {
  const started = await RingCentralEmulator.start();
  emulators.push(started);
  return started;
}

/** Runs `ringagent doctor` on a config with one ringcentral line; returns exit code and output. */
async function doctor(
  emu: RingCentralEmulator,
  jwt: string,
): Promise<{ code: number; out: string; lines: (name: string) => string }> {
  const dir = mkdtempSync(join(tmpdir(), "ringagent-rc-doctor-"));
  dirs.push(dir);
  const file = join(dir, "ringagent.yaml");
  writeFileSync(
    file,
    [
      "lines:",
      "  - name: main",
      "    kind: ringcentral",
      "    agent: echo",
      "    ringcentral:",
      `      server: ${emu.url}`,
      `      clientId: ${emu.clientId}`,
      "      clientSecret: ${RC_CLIENT_SECRET}",
      "      jwt: ${RC_JWT}",
      "agents:",
      "  echo: { kind: echo }",
      "http: { enabled: false }",
      `store: { kind: sqlite, path: ${join(dir, "calls.db")} }`,
      "",
    ].join("\n"),
  );
  const out: string[] = [];
  const openStore = async (config: RingagentConfig) =>
    SqliteCallStore.open({ path: config.store.kind === "sqlite" ? config.store.path : ":memory:" });
  const code = await runCli(
    ["doctor", "--config", file],
    {
      start: async () => undefined,
      openStore,
      doctorChecks: (config) => baseDoctorChecks(config, { openStore, ringcentral: { retry: fastRetry } }),
    },
    {
      out: (t) => out.push(t),
      err: (t) => out.push(t),
      env: { RC_CLIENT_SECRET: emu.clientSecret ?? "x", RC_JWT: jwt },
      version: "test",
    },
  );
  const text = out.join("");
  assert.ok(!text.includes(jwt), "the JWT never appears in the output");
  return {
    code,
    out: text,
    // A check's line plus its fix line, when it has one.
    lines: (name) => {
      const all = text.split("\n");
      const at = all.findIndex((l) => l.includes(`line main: ${name}:`));
      if (at < 0) return "";
      const next = all[at + 1] ?? "";
      return next.trimStart().startsWith("fix:") ? `${all[at]}\n${next}` : (all[at] ?? "");
    },
  };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

describe("ringagent doctor: ringcentral line against the emulator", () => {
  test("healthy: every RingCentral check passes", async () => {
    const emu = await emulator();
    const result = await doctor(emu, makeJwt({ exp: nowS() + 365 * dayS }));
    assert.equal(result.code, 0, result.out);
    for (const name of ["JWT credential", "RingCentral login", "app permissions", "device", "registration"]) {
      assert.match(result.lines(name), /^PASS /, `${name}: ${result.out}`);
    }
    assert.match(result.lines("device"), /Existing Phone 800000001002, TLS proxy 127\.0\.0\.1:5096/);
  });

  test("JWT expiring in 3 days: a warning with the fix; expired: a failure, and login refused", async () => {
    const emu = await emulator();
    const soon = await doctor(emu, makeJwt({ exp: nowS() + 3 * dayS }));
    assert.equal(soon.code, 0, "a warning does not fail doctor");
    assert.match(soon.lines("JWT credential"), /^WARN .*expires in [23] day/s);
    assert.match(soon.lines("JWT credential"), /fix: create a new JWT credential/);

    const expired = await doctor(emu, makeJwt({ exp: nowS() - dayS }));
    assert.equal(expired.code, 1);
    assert.match(expired.lines("JWT credential"), /^FAIL .*expired/s);
    assert.match(expired.lines("JWT credential"), /fix: create a new JWT credential/);
    assert.match(expired.lines("RingCentral login"), /^FAIL .*login refused \(400 OAU-\d+\)/s);
  });

  test("missing app permissions: 403 CMN-408 named per permission, with the fix", async () => {
    const emu = await emulator();
    emu.missingPermissions.add("VoipCalling");
    emu.missingPermissions.add("CallControl");
    const result = await doctor(emu, makeJwt());
    assert.equal(result.code, 1);
    const permissions = result.lines("app permissions");
    assert.match(permissions, /^FAIL .*lacks \[VoipCalling\], \[CallControl\] \(403 CMN-408\)/s);
    assert.match(
      permissions,
      /fix: add the missing permission\(s\) to the app in the RingCentral Developer Console/,
    );
    assert.match(result.lines("device"), /^FAIL .*without the app permission/s);
  });

  test("no usable device: the extension has only the RingCentral app; the fix says how to create one", async () => {
    const emu = await emulator();
    emu.devices = defaultDevices().filter((d) => d.type === "SoftPhone");
    const result = await doctor(emu, makeJwt());
    assert.equal(result.code, 1);
    const device = result.lines("device");
    assert.match(device, /^FAIL .*only SoftPhone/s);
    assert.match(device, /fix: create one in the RingCentral Admin Portal: .*Existing Phone/);
    assert.match(result.lines("registration"), /^WARN .*not checked/);
  });

  test("registration taken over: the device is registered elsewhere right now", async () => {
    const emu = await emulator();
    emu.setDeviceStatus("800000001002", "Online");
    const result = await doctor(emu, makeJwt());
    const registration = result.lines("registration");
    assert.match(registration, /^WARN .*registered right now.*only the latest registration receives calls/s);
    assert.match(registration, /fix: stop the other instance or phone using this device/);
  });
});
