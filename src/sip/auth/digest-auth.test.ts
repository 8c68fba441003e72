import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import { createRequest, createResponse } from "../message/message-builders.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipRequest } from "../message/sip-message.js";
import { sipUri } from "../message/sip-uri.js";
import { parseVia } from "../message/via-header.js";
import { DigestClient, parseDigestChallenge } from "./digest-client.js";
import { digestHa1, digestResponse } from "./digest-hash.js";
import { parseDigestParams } from "./digest-params.js";
import { DigestServer } from "./digest-server.js";

function register(): SipRequest {
  const via = parseVia("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKr1");
  const aor = parseNameAddr("<sip:alice@example.com>");
  assert.ok(via && aor);
  return createRequest({
    method: "REGISTER",
    uri: sipUri({ host: "example.com" }),
    via,
    from: { ...aor, params: [{ name: "tag", value: "t1" }] },
    to: aor,
    callId: "c1",
    cseq: 1,
  });
}

describe("digest vectors", () => {
  test("RFC 2617 3.5 (MD5, qop=auth)", () => {
    const r = digestResponse({
      algorithm: "MD5",
      username: "Mufasa",
      realm: "testrealm@host.com",
      password: "Circle Of Life",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      method: "GET",
      uri: "/dir/index.html",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
    });
    assert.equal(r, "6629fae49393a05397450978507c4ef1");
  });
  const rfc7616 = {
    username: "Mufasa",
    realm: "http-auth@example.org",
    password: "Circle of Life",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  } as const;
  test("RFC 7616 3.9.1 MD5 and SHA-256", () => {
    assert.equal(digestResponse({ ...rfc7616, algorithm: "MD5" }), "8ca523f5e9506fed4657c9700eebdbec");
    assert.equal(
      digestResponse({ ...rfc7616, algorithm: "SHA-256" }),
      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
    );
  });
  test("client header byte-exact for RFC 7616 SHA-256 challenge, opaque echoed, nc increments", () => {
    const challenge = parseDigestChallenge(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    assert.ok(challenge);
    const client = new DigestClient(
      { username: "Mufasa", password: "Circle of Life" },
      { makeCnonce: () => rfc7616.cnonce },
    );
    const first = client.answer(challenge, { method: "GET", uri: "/dir/index.html" });
    assert.equal(
      first,
      'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    const second = parseDigestParams(client.answer(challenge, { method: "GET", uri: "/dir/index.html" }));
    assert.equal(second?.params.get("nc"), "00000002");
  });
});

describe("-sess variants", () => {
  test("MD5-sess HA1 = MD5(MD5(user:realm:pass):nonce:cnonce) (RFC 2617 3.2.2.2)", () => {
    const base = { username: "u", realm: "r", password: "p", nonce: "n", cnonce: "c" };
    const inner = createHash("md5").update("u:r:p").digest("hex");
    assert.equal(
      digestHa1({ ...base, algorithm: "MD5-sess" }),
      createHash("md5").update(`${inner}:n:c`).digest("hex"),
    );
    const innerSha = createHash("sha256").update("u:r:p").digest("hex");
    assert.equal(
      digestHa1({ ...base, algorithm: "SHA-256-sess" }),
      createHash("sha256").update(`${innerSha}:n:c`).digest("hex"),
    );
  });
});

describe("digest client against responses", () => {
  test("401 without qop (RingCentral style) gives Authorization; repeated 401 gives up unless stale", () => {
    const req = register();
    const challenged = createResponse(req, 401, {
      headers: [
        ["WWW-Authenticate", 'Digest realm="sip.ringcentral.com", nonce="XXvrW1176i9sn4clcQVdEk6ezAYxEy/P"'],
      ],
    });
    const client = new DigestClient({
      username: "1001",
      password: "pw",
      realmOverride: "sip.ringcentral.com",
    });
    const h = client.authorize(challenged, { method: "REGISTER", uri: "sip:example.com" });
    assert.equal(h?.name, "Authorization");
    const p = parseDigestParams(h?.value ?? "");
    assert.equal(p?.params.has("qop"), false);
    assert.equal(p?.params.has("nc"), false);
    assert.equal(
      p?.params.get("response"),
      digestResponse({
        algorithm: "MD5",
        username: "1001",
        realm: "sip.ringcentral.com",
        password: "pw",
        nonce: "XXvrW1176i9sn4clcQVdEk6ezAYxEy/P",
        method: "REGISTER",
        uri: "sip:example.com",
      }),
    );
    assert.equal(
      client.authorize(
        challenged,
        { method: "REGISTER", uri: "sip:example.com" },
        { alreadyAuthorized: true },
      ),
      undefined,
    );
    const stale = createResponse(req, 407, {
      headers: [["Proxy-Authenticate", 'Digest realm="r", nonce="n2", stale=TRUE, qop="auth"']],
    });
    const h2 = client.authorize(
      stale,
      { method: "INVITE", uri: "sip:bob@example.com" },
      { alreadyAuthorized: true },
    );
    assert.equal(h2?.name, "Proxy-Authorization");
  });
});

describe("digest server (trunk mode)", () => {
  const secret = Buffer.alloc(32, 7);
  test("challenge -> client -> verify ok; wrong password, unknown user, tampered nonce, stale", () => {
    const clock = new FakeClock();
    const server = new DigestServer({ realm: "trunk.example", secret, clock, nonceTtlMs: 60_000 });
    const req = register();
    const challenged = createResponse(req, 401, { headers: [["WWW-Authenticate", server.challenge()]] });
    const good = new DigestClient({ username: "alice", password: "s3cret" });
    const h = good.authorize(challenged, { method: "REGISTER", uri: "sip:example.com" });
    assert.ok(h);
    const authed = register();
    authed.headers.append(h.name, h.value);
    const lookup = (u: string): string | undefined => (u === "alice" ? "s3cret" : undefined);
    assert.deepEqual(server.verify(authed, lookup), { ok: true, username: "alice" });
    assert.deepEqual(server.verify(register(), lookup), { ok: false, reason: "missing" });

    const bad = register();
    bad.headers.append(
      "Authorization",
      new DigestClient({ username: "alice", password: "nope" }).authorize(challenged, {
        method: "REGISTER",
        uri: "sip:example.com",
      })?.value ?? "",
    );
    assert.deepEqual(server.verify(bad, lookup), { ok: false, reason: "wrong-response" });

    const nobody = register();
    nobody.headers.append(
      "Authorization",
      new DigestClient({ username: "bob", password: "x" }).authorize(challenged, {
        method: "REGISTER",
        uri: "sip:example.com",
      })?.value ?? "",
    );
    assert.deepEqual(server.verify(nobody, lookup), { ok: false, reason: "unknown-user" });

    const nonce = parseDigestChallenge(server.challenge())?.nonce ?? "";
    const tampered = `${nonce.slice(0, -2)}${nonce.endsWith("AA") ? "AB" : "AA"}`;
    assert.equal(server.checkNonce(tampered), "invalid");

    clock.advance(61_000);
    assert.deepEqual(server.verify(authed, lookup), { ok: false, reason: "stale" });
    assert.match(server.challenge({ stale: true }), /stale=true/);
  });
});
