/**
 * The doctor's REGISTER probe in-process, with the line's real SipUserAgent (built as main.ts builds
 * it): a registrar that never answers -> FAIL within the probe's time limit with the fix, sockets
 * closed; the runner's abort ends the probe too; a control showing that the location probe used
 * by doctor.test.ts tells a live binding (not 404) from none (404); and a probe that passes while the
 * line's configured listen port is held by someone else (it binds a free port), leaving no binding.
 */
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import { registrationDoctorCheck, runDoctor, type SipAccountLineConfig } from "../../src/cli/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import { sipOptionsForLine } from "../../src/telephony/index.js";
import { type KamailioInstance, requireTools, TestBed } from "../bed/index.js";
import { locationStatus } from "./location-probe.js";

function lineAt(registrar: string, password: string, listen = "udp:127.0.0.1:0"): SipAccountLineConfig {
  return {
    name: "pbx",
    kind: "sip-account",
    agent: "echo",
    registrar,
    username: "agent",
    password,
    transport: "udp",
    listen,
    registerExpiresS: 600,
    tls: { verifyCertificate: true },
    srtp: "optional",
    maxConcurrentCalls: 1,
    answerDelayMs: 0,
    callers: { allow: [], deny: [] },
  };
}

const built: SipUserAgent[] = [];
async function buildUa(line: SipAccountLineConfig): Promise<SipUserAgent> {
  const ua = new SipUserAgent(await sipOptionsForLine(line, { logger: silentLogger() }));
  built.push(ua);
  return ua;
}

describe("doctor registration probe", () => {
  let silent: Socket;
  let silentPort = 0;
  let received = 0;

  before(async () => {
    silent = createSocket("udp4");
    silent.on("message", () => {
      received++;
    });
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    silentPort = silent.address().port;
  });
  after(() => silent.close());

  test("a registrar that never answers: FAIL after the time limit with the fix; the UA is stopped", async () => {
    const check = registrationDoctorCheck(lineAt(`127.0.0.1:${silentPort}`, "pw"), buildUa, {
      timeoutMs: 400,
    });
    const result = await check.run(AbortSignal.timeout(10_000));
    assert.equal(result.status, "fail");
    assert.match(
      result.detail,
      new RegExp(`no answer from the registrar at 127\\.0\\.0\\.1:${silentPort} over udp within 0\\.4 s`),
    );
    assert.match(result.fix ?? "", /check registrar:, transport: and outboundProxy: of line pbx/);
    assert.ok(received >= 1, "the REGISTER was sent");
    assert.equal(built.at(-1)?.registrationState, "stopped");
  });

  test("runDoctor's per-check time limit ends the probe and counts a failure", async () => {
    const out: string[] = [];
    const check = registrationDoctorCheck(lineAt(`127.0.0.1:${silentPort}`, "pw"), buildUa, {
      timeoutMs: 60_000,
    });
    const code = await runDoctor([check], { out: (t) => out.push(t), timeoutMs: 300 });
    assert.equal(code, 1);
    assert.match(out.join(""), /^FAIL {2}line pbx: registration: /m);
    // The probe's own finally stops the UA once the abort reaches it.
    const deadline = Date.now() + 5000;
    while (built.at(-1)?.registrationState !== "stopped" && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(built.at(-1)?.registrationState, "stopped");
  });
});

describe("location probe control (Kamailio)", () => {
  const bed = new TestBed("ringagent-doctor-reg-");
  let kam: KamailioInstance;
  before(async () => {
    requireTools(["kamailio"]);
    kam = await bed.kamailio();
  });
  after(() => bed.close());

  test("a live binding routes (not 404); after a doctor probe there is none (404)", async () => {
    const registrar = `${kam.host}:${kam.sipPort}`;
    const ua = await buildUa(lineAt(registrar, "agentpw"));
    const registered = new Promise<void>((resolve) =>
      ua.on("registrationState", (s) => {
        if (s === "registered") resolve();
      }),
    );
    await ua.start();
    await registered;
    try {
      assert.notEqual(await locationStatus(kam), 404);
    } finally {
      await ua.stop({ unregisterTimeoutMs: 2000 });
    }
    assert.equal(await locationStatus(kam), 404);
    // The line's configured port is taken (as by a running `ringagent start`): the probe uses a free one.
    const busy = createSocket("udp4");
    await new Promise<void>((resolve) => busy.bind(0, "127.0.0.1", resolve));
    try {
      const line = lineAt(registrar, "agentpw", `udp:127.0.0.1:${busy.address().port}`);
      const result = await registrationDoctorCheck(line, buildUa).run(AbortSignal.timeout(15_000));
      assert.equal(result.status, "pass", result.detail);
    } finally {
      busy.close();
    }
    assert.equal(await locationStatus(kam), 404);
  });
});
