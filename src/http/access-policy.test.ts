import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createAccessPolicy } from "./access-policy.js";
import { HttpError } from "./http-error.js";

function statusOf(check: () => void): number | "allowed" {
  try {
    check();
    return "allowed";
  } catch (error) {
    assert.ok(error instanceof HttpError, "the policy throws only HttpError");
    return error.status;
  }
}

describe("access policy: webhook paths", () => {
  const hook = "/webhooks/ringcentral/main";

  test("with a token, a webhook path needs no bearer token; every other path still does", () => {
    const policy = createAccessPolicy("s3cret-token", "0.0.0.0", [hook]);
    assert.equal(policy.mode, "token");
    assert.equal(
      statusOf(() => policy.check(hook, { host: "agent.example.com" })),
      "allowed",
    );
    assert.equal(
      statusOf(() => policy.check("/healthz", {})),
      "allowed",
    );
    assert.equal(
      statusOf(() => policy.check("/api/v1/calls", {})),
      401,
    );
    assert.equal(
      statusOf(() => policy.check(`${hook}/x`, {})),
      401,
      "only the exact path",
    );
    assert.equal(
      statusOf(() => policy.check("/webhooks/ringcentral/other", {})),
      401,
    );
    assert.equal(
      statusOf(() => policy.check("/api/v1/calls", { authorization: "Bearer s3cret-token" })),
      "allowed",
    );
  });

  test("without webhook paths nothing but /healthz and /readyz is public", () => {
    const policy = createAccessPolicy("s3cret-token", "0.0.0.0");
    assert.equal(
      statusOf(() => policy.check(hook, {})),
      401,
    );
    assert.equal(
      statusOf(() => policy.check("/readyz", {})),
      "allowed",
    );
  });

  test("loopback without a token: a webhook path skips the Host/Origin guards (a tunnel's public name)", () => {
    const policy = createAccessPolicy(undefined, "127.0.0.1", [hook]);
    assert.equal(policy.mode, "loopback-open");
    assert.equal(
      statusOf(() => policy.check(hook, { host: "abc.tunnel.example", origin: "https://evil.example" })),
      "allowed",
    );
    assert.equal(
      statusOf(() => policy.check("/api/v1/calls", { host: "abc.tunnel.example" })),
      403,
    );
    assert.equal(
      statusOf(() => policy.check("/api/v1/calls", { host: "127.0.0.1:8080" })),
      "allowed",
    );
  });
});
