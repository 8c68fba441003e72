/**
 * createTelephony from a parsed config: a `local` line listening on UDP 127.0.0.1 answers a call
 * from another user agent with the `echo` agent built from config, and closes cleanly.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createDiagnosticAgent } from "../../src/agent/index.js";
import { configSchema } from "../../src/config/index.js";
import { silentLogger } from "../../src/shared/index.js";
import { SipUserAgent } from "../../src/sip/index.js";
import {
  createTelephony,
  parseHostPort,
  parseListen,
  peerOffer,
  type TelephonyLineSpec,
} from "../../src/telephony/index.js";

describe("createTelephony", { timeout: 30_000 }, () => {
  test("host:port and listen parsing", () => {
    assert.deepEqual(parseHostPort("pbx.example.com", "tls"), {
      protocol: "tls",
      host: "pbx.example.com",
      port: 5061,
    });
    assert.deepEqual(parseHostPort("[::1]:5070", "udp"), { protocol: "udp", host: "::1", port: 5070 });
    assert.deepEqual(parseListen("tcp:127.0.0.1:5080"), { protocol: "tcp", host: "127.0.0.1", port: 5080 });
    assert.throws(() => parseListen("ws:127.0.0.1:80"), { code: "config_invalid" });
  });

  test("a local line from config answers with the echo agent", async () => {
    const config = configSchema.parse({
      lines: [{ name: "dev", kind: "local", agent: "echo", listen: ["udp:127.0.0.1:0"], srtp: "off" }],
      agents: { echo: { kind: "echo" } },
      media: { rtpPortMin: 43_000, rtpPortMax: 43_998 },
    });
    const line = config.lines[0];
    assert.ok(line);
    const spec: TelephonyLineSpec = line; // a parsed config line fits as is
    const agentConfig = config.agents.echo;
    assert.ok(agentConfig);
    const handler = await createDiagnosticAgent(agentConfig);
    const telephony = createTelephony({
      rtpPortMin: config.media.rtpPortMin,
      rtpPortMax: config.media.rtpPortMax,
      codecs: config.media.codecs,
      mediaTimeoutMs: config.media.mediaTimeoutMs,
      rtpBindAddress: "127.0.0.1",
      logger: silentLogger(),
    });
    const caller = new SipUserAgent({
      listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
      inbound: { allowAny: true },
    });
    try {
      const { addresses } = await telephony.addLine(spec, handler);
      const port = addresses[0]?.port;
      assert.ok(port, "the line listens");
      await caller.start();
      const session = await caller.invite(`sip:agent@127.0.0.1:${port}`, { body: peerOffer() });
      assert.match(session.remoteBody?.body.toString() ?? "", /c=IN IP4 127\.0\.0\.1/);
      assert.equal(telephony.manager.activeCalls, 1);
      await session.bye();
      const deadline = Date.now() + 5000;
      while (telephony.manager.activeCalls > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(telephony.manager.activeCalls, 0);
      assert.equal(telephony.media.openSessions, 0);
    } finally {
      await caller.stop();
      await telephony.close();
    }
  });
});
