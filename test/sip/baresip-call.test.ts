/**
 * Real peers: baresip callers reach our UA through Kamailio while our UA is registered over TLS.
 *  - the caller hangs up: we answer BYE with 200 and report the end;
 *  - we hang up: baresip reports CALL_CLOSED;
 *  - blind transfer: our REFER moves the baresip caller to a second baresip (typed success from
 *    the NOTIFY sipfrag 200).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import {
  type SessionEndReason,
  type SipSession,
  SipUserAgent,
  type TransferProgress,
} from "../../src/sip/index.js";
import {
  type BaresipInstance,
  type KamailioInstance,
  requireTools,
  silenceWav,
  TestBed,
} from "../bed/index.js";
import { nextEvent, staticSdp } from "./ua-helpers.js";

describe("calls with baresip through Kamailio (our UA on TLS)", { timeout: 180_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let ua: SipUserAgent;
  let alice: BaresipInstance;
  let bob: BaresipInstance;
  let udpDomain: string;

  before(async () => {
    requireTools(["kamailio", "baresip", "sox", "openssl"]);
    bed = new TestBed();
    kamailio = await bed.kamailio({ tls: true });
    const tlsPort = kamailio.tlsPort;
    assert.ok(tlsPort !== undefined);
    udpDomain = `127.0.0.1:${kamailio.sipPort}`;
    const ca = await readFile((await bed.certs()).caPem, "utf8");
    ua = new SipUserAgent({
      account: { aor: `sip:agent@127.0.0.1:${tlsPort}`, password: "agentpw" },
      outboundProxy: { primary: { protocol: "tls", host: "127.0.0.1", port: tlsPort } },
      transport: { tls: { ca } },
      registration: { expiresS: 300 },
      userAgent: "ringagent-test",
    });
    const registered = nextEvent(ua, "registrationState", 15_000);
    await ua.start();
    await registered;
    const media = await bed.path("media");
    const silence = await silenceWav(`${media}/silence.wav`, 120, 8000);
    const common = { sourceWav: silence, audioCodecs: ["PCMU"], wideband: false } as const;
    [alice, bob] = await Promise.all([
      bed.baresip({
        ...common,
        name: "alice",
        account: {
          kind: "register",
          user: "alice",
          password: "alicepw",
          domain: udpDomain,
          transport: "udp",
        },
      }),
      bed.baresip({
        ...common,
        name: "bob",
        account: { kind: "register", user: "bob", password: "bobpw", domain: udpDomain, transport: "udp" },
      }),
    ]);
    await Promise.all([alice.waitRegistered(20_000), bob.waitRegistered(20_000)]);
    for (let i = 0; i < 100 && !ua.isRegistered; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ua.isRegistered, "our UA is registered over TLS");
  });

  after(async () => {
    await ua?.stop({ unregisterTimeoutMs: 1000 });
    await bed?.close();
  });

  async function answerNextCall(): Promise<SipSession> {
    const [session] = await nextEvent<[SipSession]>(ua, "incomingCall", 20_000);
    assert.match(session.remoteOffer?.body.toString() ?? "", /^v=0/);
    const confirmed = nextEvent(session, "confirmed", 20_000);
    session.accept(staticSdp(40_000));
    await confirmed;
    return session;
  }

  test("the caller hangs up: BYE answered 200, end reported", async () => {
    const from = alice.ctrl.events().length;
    const incoming = answerNextCall();
    await alice.ctrl.dial(`sip:agent@${udpDomain}`);
    const session = await incoming;
    assert.equal(session.state, "established");
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    const ended = nextEvent<[SessionEndReason]>(session, "ended", 20_000);
    await alice.ctrl.hangup();
    const [reason] = await ended;
    assert.equal(reason.kind, "remote_bye");
    const closed = await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 20_000, fromIndex: from });
    assert.doesNotMatch(closed.param, /\b4\d\d\b|\b5\d\d\b/, `baresip saw a clean close: ${closed.param}`);
    assert.equal(ua.sessions().length, 0);
  });

  test("we hang up: baresip reports CALL_CLOSED", async () => {
    const from = alice.ctrl.events().length;
    const incoming = answerNextCall();
    await alice.ctrl.dial(`sip:agent@${udpDomain}`);
    const session = await incoming;
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    await session.bye();
    assert.equal(session.endReason?.kind, "local_bye");
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 20_000, fromIndex: from });
  });

  test("blind transfer: REFER moves the baresip caller to a second baresip", async () => {
    const fromAlice = alice.ctrl.events().length;
    const fromBob = bob.ctrl.events().length;
    const incoming = answerNextCall();
    await alice.ctrl.dial(`sip:agent@${udpDomain}`);
    const session = await incoming;
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: fromAlice });
    const progress: TransferProgress[] = [];
    session.on("transferProgress", (p) => progress.push(p));
    const result = await session.refer(`sip:bob@${udpDomain}`, { timeoutMs: 30_000 });
    console.log(`transfer progress: ${progress.map((p) => `${p.state}:${p.status}`).join(" ")}`);
    assert.deepEqual(result, { outcome: "success", status: 200 });
    await bob.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: fromBob });
    if (session.state !== "ended") await session.bye();
    await alice.ctrl.hangup();
    await bob.ctrl
      .waitForEvent("CALL_CLOSED", { timeoutMs: 20_000, fromIndex: fromBob })
      .catch(() => undefined);
  });
});
