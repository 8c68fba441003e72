/**
 * Registration against the bed's Kamailio (digest, static passwords): UDP, TCP and TLS; a wrong
 * password is one typed error and no retry storm; Kamailio stopped and started again on the same
 * ports -> our UA re-registers within 10 s by itself.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { RegistrationError, SipUserAgent } from "../../src/sip/index.js";
import { SipUserAgent as Ua } from "../../src/sip/index.js";
import { type KamailioInstance, requireTools, TestBed } from "../bed/index.js";
import { nextEvent } from "./ua-helpers.js";

type Proto = "udp" | "tcp" | "tls";

describe("registration to Kamailio", { timeout: 120_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let ca: string;
  const agents: SipUserAgent[] = [];

  before(async () => {
    requireTools(["kamailio", "openssl"]);
    bed = new TestBed();
    kamailio = await bed.kamailio({ tls: true });
    ca = await readFile((await bed.certs()).caPem, "utf8");
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop({ unregisterTimeoutMs: 500 })));
    await bed?.close();
  });

  function agent(protocol: Proto, user: string, password = kamailio.users[user] ?? ""): SipUserAgent {
    const port = protocol === "tls" ? kamailio.tlsPort : kamailio.sipPort;
    assert.ok(port !== undefined);
    const ua = new Ua({
      account: { aor: `sip:${user}@127.0.0.1:${port}`, password },
      outboundProxy: { primary: { protocol, host: "127.0.0.1", port } },
      ...(protocol === "udp" ? { listen: [{ protocol: "udp" as const, host: "127.0.0.1", port: 0 }] } : {}),
      transport: { tls: { ca }, backoff: { baseMs: 1000, maxMs: 4000 } },
      registration: { expiresS: 300, retry: { baseMs: 1000, maxMs: 4000, jitter: 0.2 } },
      userAgent: "ringagent-test",
    });
    agents.push(ua);
    return ua;
  }

  async function registered(ua: SipUserAgent, ms = 10_000): Promise<void> {
    if (ua.isRegistered) return;
    const deadline = Date.now() + ms;
    while (!ua.isRegistered) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `not registered within ${ms} ms (state ${ua.registrationState})`);
      await nextEvent(ua, "registrationState", left).catch(() => undefined);
    }
  }

  for (const protocol of ["udp", "tcp", "tls"] as const) {
    test(`REGISTER with digest over ${protocol.toUpperCase()}`, async () => {
      const ua = agent(protocol, protocol === "udp" ? "agent" : "alice");
      await ua.start();
      await registered(ua);
      assert.equal(ua.registrationState, "registered");
      assert.equal(ua.registerer?.grantedExpiresS, 300);
      await ua.stop({ unregisterTimeoutMs: 2000 });
      assert.equal(ua.registrationState, "stopped");
    });
  }

  test("UDP: an unreachable primary proxy times out and the backup registers us", async () => {
    const ua = new Ua({
      account: { aor: `sip:agent@127.0.0.1:${kamailio.sipPort}`, password: "agentpw" },
      outboundProxy: {
        // Port 9 (discard): nothing answers, so the REGISTER times out (Timer F = 64*T1).
        primary: { protocol: "udp", host: "127.0.0.1", port: 9 },
        backup: { protocol: "udp", host: "127.0.0.1", port: kamailio.sipPort },
      },
      listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
      timers: { t1Ms: 50 },
      registration: { expiresS: 300, retry: { baseMs: 500, maxMs: 2000, jitter: 0.2 } },
    });
    agents.push(ua);
    const errors: RegistrationError[] = [];
    ua.on("registrationError", (e) => errors.push(e));
    await ua.start();
    await registered(ua, 15_000);
    assert.equal(errors[0]?.code, "sip_registration_timeout");
  });

  test("a wrong password is one typed error, not a retry storm", async () => {
    const ua = agent("tcp", "carol", "wrong-password");
    const errors: RegistrationError[] = [];
    ua.on("registrationError", (e) => errors.push(e));
    await ua.start();
    const [error] = await nextEvent<[RegistrationError]>(ua, "registrationError", 10_000);
    assert.equal(error.code, "sip_auth_failed");
    assert.equal(error.status, 401);
    assert.equal(error.retryable, false);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(errors.length, 1);
    assert.equal(ua.registrationState, "failed");
  });

  test("Kamailio restarted on the same ports: re-registered within 10 s without restarting the UA", async () => {
    const ua = agent("tls", "bob");
    await ua.start();
    await registered(ua);
    const { sipPort, tlsPort } = kamailio;
    await kamailio.stop();
    const stoppedMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.notEqual(ua.registrationState, "registered");
    kamailio = await bed.kamailio({ tls: true, sipPort, ...(tlsPort === undefined ? {} : { tlsPort }) });
    await registered(ua, 10_000);
    const tookMs = Date.now() - stoppedMs;
    console.log(`re-registered ${tookMs} ms after Kamailio stopped`);
    assert.ok(tookMs < 10_000);
  });
});
