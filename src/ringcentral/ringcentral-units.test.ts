import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentLogger } from "../shared/index.js";
import { checkJwtCredential, describeJwtCheck } from "./jwt-credential.js";
import { parseErrorBody, parseRetryAfterS, RingCentralApiError, routeShape } from "./rc-api-error.js";
import { NoUsableDeviceError, parseHostPort, sipSettingsFromSipInfo } from "./sip-credentials.js";
import { WebhookReceiver } from "./webhook-receiver.js";

const nowMs = Date.UTC(2026, 0, 1);
const jwt = (payload: unknown): string =>
  `e30.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;

describe("JWT credential check", () => {
  test("statuses by exp", () => {
    assert.deepEqual(checkJwtCredential(jwt({}), nowMs), { status: "no-expiry" });
    const soon = checkJwtCredential(jwt({ exp: nowMs / 1000 + 5 * 86_400 + 60 }), nowMs);
    assert.equal(soon.status, "expiring-soon");
    assert.ok(soon.status === "expiring-soon" && soon.daysLeft === 5);
    assert.equal(checkJwtCredential(jwt({ exp: nowMs / 1000 + 100 * 86_400 }), nowMs).status, "valid");
    assert.equal(checkJwtCredential(jwt({ exp: nowMs / 1000 - 1 }), nowMs).status, "expired");
    assert.equal(checkJwtCredential("abc", nowMs).status, "malformed");
    assert.equal(checkJwtCredential("a.!!!.c", nowMs).status, "malformed");
    assert.equal(checkJwtCredential(jwt({ exp: "soon" }), nowMs).status, "malformed");
  });

  test("the description never contains the credential", () => {
    const credential = jwt({ exp: nowMs / 1000 + 86_400, sub: "secret-subject" });
    const text = describeJwtCheck(checkJwtCredential(credential, nowMs));
    assert.match(text, /expires in 1 days/);
    assert.ok(!text.includes(credential) && !text.includes("secret-subject"));
  });
});

describe("RingCentral error bodies", () => {
  test("the three body shapes", () => {
    assert.deepEqual(parseErrorBody({ errors: [{ errorCode: "TAS-102", message: "Incorrect State" }] }), {
      errorCode: "TAS-102",
      rcMessage: "Incorrect State",
    });
    assert.deepEqual(
      parseErrorBody({
        error: "invalid_grant",
        errors: [{ errorCode: "OAU-210", message: "Token expired" }],
        error_description: "Token expired",
      }),
      { errorCode: "OAU-210", rcMessage: "Token expired", oauthError: "invalid_grant" },
    );
    assert.deepEqual(parseErrorBody({ errorCode: "CMN-102", message: "m" }), {
      errorCode: "CMN-102",
      rcMessage: "m",
    });
    assert.deepEqual(parseErrorBody("<html>"), {});
  });

  test("typed error: product code, retryable, explanation, shaped path", () => {
    const error = new RingCentralApiError({
      status: 409,
      method: "POST",
      path: "/restapi/v1.0/account/~/telephony/sessions/s-123abc/parties/p-1-2/transfer",
      errorCode: "TAS-102",
    });
    assert.equal(error.code, "ringcentral_conflict");
    assert.equal(error.retryable, false);
    assert.match(error.message, /sessions\/:id\/parties\/:id\/transfer/);
    assert.equal(
      routeShape("/restapi/v1.0/account/~/device/800123/sip-info?x=1"),
      "/restapi/v1.0/account/~/device/:id/sip-info",
    );
    assert.equal(new RingCentralApiError({ status: 503, method: "GET", path: "/" }).retryable, true);
    assert.equal(parseRetryAfterS("12", nowMs), 12);
    assert.equal(parseRetryAfterS(new Date(nowMs + 5000).toUTCString(), nowMs), 5);
    assert.equal(parseRetryAfterS("soon", nowMs), undefined);
  });
});

describe("sip-info mapping", () => {
  const sample = {
    domain: "sip.ringcentral.com",
    outboundProxies: [
      { region: "NA", proxy: "sip20.ringcentral.com:5090", proxyTLS: "sip20.ringcentral.com:5096" },
    ],
    userName: "16501234567",
    password: "password",
    authorizationId: "802512345678",
  };

  test("the fact sheet's sample (STS README) maps to TLS settings", () => {
    assert.deepEqual(sipSettingsFromSipInfo(sample, "d1", "NA", silentLogger()), {
      domain: "sip.ringcentral.com",
      username: "16501234567",
      authorizationId: "802512345678",
      password: "password",
      outboundProxy: { host: "sip20.ringcentral.com", port: 5096 },
      transport: "tls",
      region: "NA",
      deviceId: "d1",
      source: "sip-info",
    });
  });

  test("missing fields are typed errors; host:port parsing", () => {
    assert.throws(
      () =>
        sipSettingsFromSipInfo(
          { ...sample, outboundProxies: [{ region: "NA", proxy: "x:5090" }] },
          "d",
          "NA",
          silentLogger(),
        ),
      /proxyTLS/,
    );
    assert.throws(
      () => sipSettingsFromSipInfo({ ...sample, userName: "" }, "d", "NA", silentLogger()),
      /userName/,
    );
    assert.deepEqual(parseHostPort("[::1]:5061"), { host: "::1", port: 5061 });
    assert.equal(parseHostPort("host"), undefined);
    assert.equal(parseHostPort("host:70000"), undefined);
    assert.match(new NoUsableDeviceError(["SoftPhone"]).message, /Existing Phone/);
  });
});

describe("WebhookReceiver", () => {
  const got: unknown[] = [];
  const receiver = new WebhookReceiver({ verificationToken: "tok", onNotification: (n) => got.push(n) });

  test("echoes Validation-Token on the handshake", () => {
    const r = receiver.handle({ headers: { "validation-token": "abc" }, body: "" });
    assert.equal(r.status, 200);
    assert.equal(r.headers["Validation-Token"], "abc");
  });

  test("token check, malformed body, delivery", () => {
    assert.equal(receiver.handle({ headers: { "verification-token": "bad" }, body: "{}" }).status, 401);
    assert.equal(receiver.handle({ headers: {}, body: "{}" }).status, 401);
    assert.equal(receiver.handle({ headers: { "verification-token": "tok" }, body: "{nope" }).status, 400);
    assert.equal(receiver.handle({ headers: { "verification-token": "tok" }, body: '{"a":1}' }).status, 200);
    // The docs' spelling: the token in `validation-token` on a notification with a body.
    assert.equal(receiver.handle({ headers: { "validation-token": "tok" }, body: '{"a":2}' }).status, 200);
    assert.deepEqual(got, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(receiver.counters, { validations: 1, notifications: 2, rejectedToken: 2, malformed: 1 });
  });
});
