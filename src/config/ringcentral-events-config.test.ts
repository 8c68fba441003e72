import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError } from "../shared/index.js";
import { loadConfig } from "./load-config.js";

function problemsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ text, env });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
}

const line = (ringcentral: string, http = "") => `
${http}
lines:
  - name: main
    kind: ringcentral
    agent: echo
    ringcentral: { clientId: abc, clientSecret: "\${S}", jwt: "\${S}"${ringcentral} }
agents: { echo: { kind: echo } }
`;

describe("ringcentral line events config", () => {
  test("websocket is the default; webhook with address and token loads", () => {
    const plain = loadConfig({ text: line(""), env: { S: "x" } }).lines[0];
    assert.ok(plain?.kind === "ringcentral");
    assert.equal(plain.ringcentral.events, "websocket");
    const hooked = loadConfig({
      text: line(
        ', events: webhook, webhook: { address: "https://agent.example.com", verificationToken: "${T}" }',
      ),
      env: { S: "x", T: "verify-token" },
    }).lines[0];
    assert.ok(hooked?.kind === "ringcentral");
    assert.equal(hooked.ringcentral.events, "webhook");
    assert.equal(hooked.ringcentral.webhook?.verificationToken, "verify-token");
  });

  test("webhook without address or token, a literal token, or with HTTP disabled: each names the field", () => {
    const missing = problemsOf(line(", events: webhook", "http: { enabled: false }"), { S: "x" });
    const expected: Array<[string, RegExp]> = [
      ["lines[0].ringcentral.webhook.address", /required with events: webhook — fix:/],
      ["lines[0].ringcentral.webhook.verificationToken", /required with events: webhook — fix:/],
      ["lines[0].ringcentral.events", /HTTP server, which is disabled — fix: set http.enabled: true/],
    ];
    for (const [field, pattern] of expected) {
      const problem = missing.find((p) => p.startsWith(`${field}:`));
      assert.ok(problem, `no problem for ${field}: ${missing.join("\n")}`);
      assert.match(problem, pattern);
    }
    const literal = problemsOf(
      line(', events: webhook, webhook: { address: "https://a.example.com", verificationToken: plain }'),
      { S: "x" },
    );
    assert.ok(
      literal.some((p) =>
        p.startsWith("lines[0].ringcentral.webhook.verificationToken: a secret is written"),
      ),
      literal.join("\n"),
    );
    assert.deepEqual(problemsOf(line(", events: none", "http: { enabled: false }"), { S: "x" }), []);
  });
});
