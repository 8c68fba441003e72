import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { getCSeq } from "../message/message-accessors.js";
import { createResponse } from "../message/message-builders.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { parseUri } from "../message/sip-uri.js";
import { parseVia } from "../message/via-header.js";
import { Registerer, refreshDelayMs, registrationRetryDelayMs } from "./registerer.js";
import type { RegistrationBinding, RegistrationPort, RegistrationState } from "./registration-types.js";

function must<T>(value: T | undefined): T {
  assert.ok(value !== undefined);
  return value;
}

const aor = must(parseNameAddr("<sip:agent@example.com>"));
const registrarUri = must(parseUri("sip:example.com"));
const binding: RegistrationBinding = {
  destination: { protocol: "tls", host: "127.0.0.1", port: 5061 },
  flowId: "tls-1",
  via: must(parseVia("SIP/2.0/TLS 127.0.0.1:40000;rport;alias")),
  contact: must(parseNameAddr("<sip:agent@127.0.0.1:40000;transport=tls;ob>")),
  outbound: true,
};

type Reply = (request: SipRequest) => SipResponse | "hang";

class ScriptedPort implements RegistrationPort {
  readonly sent: SipRequest[] = [];
  up = true;
  hopFailures = 0;
  reply: Reply = (r) => createResponse(r, 200);
  binding(): RegistrationBinding | undefined {
    return this.up ? binding : undefined;
  }
  send(request: SipRequest): Promise<SipResponse> {
    this.sent.push(request);
    const answer = this.reply(request);
    if (answer === "hang") return new Promise(() => undefined);
    return Promise.resolve(answer);
  }
  reportHopFailure(): void {
    this.hopFailures++;
  }
}

const challenge = (stale = false): string =>
  `Digest realm="example.com", nonce="n${Math.random()}", qop="auth"${stale ? ", stale=true" : ""}`;

function setup(options: { expiresS?: number } = {}) {
  const clock = new FakeClock();
  const port = new ScriptedPort();
  const reg = new Registerer(
    port,
    {
      aor,
      registrarUri,
      password: "secret",
      instanceId: "urn:uuid:00000000-0000-4000-8000-000000000001",
      random: () => 0,
      ...(options.expiresS === undefined ? {} : { expiresS: options.expiresS }),
    },
    clock,
  );
  const states: RegistrationState[] = [];
  reg.on("state", (s) => states.push(s));
  return { clock, port, reg, states };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Registerer", () => {
  test("answers a 401 with digest, honours the contact expires and refreshes before expiry", async () => {
    const { clock, port, reg } = setup();
    port.reply = (r) => {
      if (!r.headers.has("Authorization"))
        return createResponse(r, 401, { headers: [["WWW-Authenticate", challenge()]] });
      const contact = must(r.headers.get("Contact")).replace(/expires=\d+/, "expires=120");
      return createResponse(r, 200, { headers: [["Contact", contact]] });
    };
    reg.start();
    await settle();
    assert.equal(reg.state, "registered");
    assert.equal(reg.grantedExpiresS, 120);
    assert.equal(port.sent.length, 2);
    const [first, second] = port.sent;
    assert.equal(first?.headers.get("Call-ID"), second?.headers.get("Call-ID"));
    assert.equal(must(getCSeq(must(second))).seq, must(getCSeq(must(first))).seq + 1);
    const contact = must(first?.headers.get("Contact"));
    assert.match(contact, /\+sip\.instance="<urn:uuid:00000000-0000-4000-8000-000000000001>"/);
    assert.match(contact, /reg-id=1/);
    clock.advance(refreshDelayMs(120) - 1);
    await settle();
    assert.equal(port.sent.length, 2);
    clock.advance(1);
    await settle();
    assert.equal(port.sent.length, 4, "refresh re-REGISTERs (challenge + answer)");
    assert.equal(reg.state, "registered");
  });

  test("a wrong password gives one typed error and no retry storm", async () => {
    const { clock, port, reg } = setup();
    port.reply = (r) => createResponse(r, 401, { headers: [["WWW-Authenticate", challenge()]] });
    const errors: string[] = [];
    reg.on("error", (e, retry) => errors.push(`${e.code}:${e.status}:${retry}`));
    reg.start();
    await settle();
    assert.equal(reg.state, "failed");
    assert.deepEqual(errors, ["sip_auth_failed:401:undefined"]);
    assert.equal(reg.lastError?.retryable, false);
    clock.advance(600_000);
    reg.flowUp();
    await settle();
    assert.equal(port.sent.length, 2, "no further REGISTER after the refusal");
  });

  test("stale=true is answered again with the new nonce", async () => {
    const { port, reg } = setup();
    let round = 0;
    port.reply = (r) => {
      round++;
      if (round === 1) return createResponse(r, 401, { headers: [["WWW-Authenticate", challenge()]] });
      if (round === 2) return createResponse(r, 401, { headers: [["WWW-Authenticate", challenge(true)]] });
      return createResponse(r, 200);
    };
    reg.start();
    await settle();
    assert.equal(reg.state, "registered");
    assert.equal(port.sent.length, 3);
  });

  test("423 Min-Expires retries with the registrar's minimum", async () => {
    const { port, reg } = setup({ expiresS: 30 });
    port.reply = (r) => {
      const asked = Number(r.headers.get("Expires"));
      if (asked < 300) return createResponse(r, 423, { headers: [["Min-Expires", "300"]] });
      return createResponse(r, 200);
    };
    reg.start();
    await settle();
    assert.equal(reg.state, "registered");
    assert.equal(port.sent.at(-1)?.headers.get("Expires"), "300");
    assert.equal(reg.grantedExpiresS, 300);
  });

  test("failures back off 1 s, 2 s, 4 s (capped) and report hop failures for fallback", async () => {
    const { clock, port, reg } = setup();
    port.reply = (r) => createResponse(r, 408);
    const delays: (number | undefined)[] = [];
    reg.on("error", (_e, retry) => delays.push(retry));
    reg.start();
    await settle();
    for (const stepMs of [1000, 2000, 4000]) {
      clock.advance(stepMs);
      await settle();
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
    assert.equal(port.hopFailures, 4);
    assert.equal(registrationRetryDelayMs({ baseMs: 1000, maxMs: 5000, jitter: 0 }, 10), 5000);
    assert.equal(
      registrationRetryDelayMs({ baseMs: 1000, maxMs: 5000, jitter: 0.2 }, 0, () => 1),
      800,
    );
    port.reply = (r) => createResponse(r, 200);
    clock.advance(8000);
    await settle();
    assert.equal(reg.state, "registered");
  });

  test("flow loss waits for the flow, then re-registers at once; unregister sends expires=0", async () => {
    const { port, reg, states } = setup();
    reg.start();
    await settle();
    assert.equal(reg.state, "registered");
    port.up = false;
    reg.flowDown();
    assert.equal(reg.state, "waiting-flow");
    port.up = true;
    reg.flowUp();
    await settle();
    assert.equal(reg.state, "registered");
    assert.equal(port.sent.length, 2);
    await reg.unregister();
    assert.equal(reg.state, "stopped");
    const last = must(port.sent.at(-1));
    assert.equal(last.headers.get("Expires"), "0");
    assert.match(must(last.headers.get("Contact")), /expires=0/);
    assert.deepEqual(states, [
      "registering",
      "registered",
      "waiting-flow",
      "registering",
      "registered",
      "unregistering",
      "stopped",
    ]);
  });
});
