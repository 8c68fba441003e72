/**
 * SIPp (UDP) sends an offerless re-INVITE mid-call: our 200 carries an offer, SIPp's ACK carries the
 * answer (a=sendonly), and telephony applies it: media reconfigured, the call goes on hold.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../src/shared/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import { type Call, CallManager, defaultLinePolicy, FakeMediaFactory } from "../../src/telephony/index.js";
import { SipLineAdapter } from "../../src/telephony/sip-signaling-adapter.js";
import { requireTools, TestBed } from "../bed/index.js";

describe("SIPp: offerless re-INVITE, answer in the ACK", { timeout: 60_000 }, () => {
  let bed: TestBed;
  let ua: SipUserAgent;
  let port: number;
  let media: FakeMediaFactory;
  let manager: CallManager;

  before(async () => {
    requireTools(["sipp"]);
    bed = new TestBed();
    ua = new SipUserAgent({
      listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
      account: { aor: "sip:agent@127.0.0.1" },
      inbound: { allowAny: true },
    });
    const [local] = await ua.start();
    assert.ok(local);
    port = local.port;
    media = new FakeMediaFactory();
    manager = new CallManager({ media, logger: silentLogger() });
    manager.addLine(new SipLineAdapter("sipp", ua), { ...defaultLinePolicy, srtp: "off" }, (call) =>
      call.ended.then(() => undefined),
    );
  });

  after(async () => {
    await manager?.close();
    await ua?.stop();
    await bed?.close();
  });

  test("the ACK's answer is applied to media: the call goes on hold", async () => {
    const states: string[] = [];
    const callP = new Promise<Call>((resolve) => manager.once("call", resolve));
    const sipp = bed.sipp({
      scenario: join(import.meta.dirname, "sipp", "uac_offerless_reinvite.xml"),
      placeholders: { HOLD_MS: "800" },
      remote: `127.0.0.1:${port}`,
      service: "agent",
      timeoutMs: 20_000,
    });
    const call = await callP;
    call.on("state", (s) => states.push(s));
    const result = await sipp;
    assert.equal(result.code, 0, result.output.slice(-1500));
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    const session = media.sessions.at(-1);
    assert.equal(session?.configured.length, 2, "configured by the INVITE's offer and by the ACK's answer");
    assert.equal(session?.configured[1]?.direction, "recvonly", "the peer sends only: we receive");
    assert.ok(states.includes("on_hold"), `states: ${states.join(",")}`);
  });
});
