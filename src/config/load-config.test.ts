import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError } from "../shared/index.js";
import { loadConfig } from "./load-config.js";

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    loadConfig({ text, path: "test.yaml", env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("the config was accepted");
}

describe("loadConfig", () => {
  test("with no file, runs the local line on 127.0.0.1 with the offline receptionist", () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.lines.length, 1);
    const line = config.lines[0];
    assert.equal(line?.kind, "local");
    assert.deepEqual(line?.kind === "local" ? line.listen : [], ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"]);
    const agent = config.agents[line?.agent ?? ""];
    assert.equal(agent?.kind, "conversation");
    assert.equal(agent?.kind === "conversation" ? agent.stt.provider : "", "pocketsphinx");
    assert.equal(config.http.listen, "127.0.0.1:8080");
    assert.equal(config.sip.t1Ms, 500);
  });

  test("the shipped example file is valid once its secrets are set", () => {
    const config = loadConfig({
      path: join(import.meta.dirname, "..", "..", "ringagent.example.yaml"),
      env: {
        RC_CLIENT_SECRET: "s",
        RC_JWT: "a.b.c",
        PBX_PASSWORD: "p",
        TRUNK_PASSWORD: "t",
        RINGAGENT_API_TOKEN: "tok",
      },
    });
    assert.ok(config.lines.length >= 4);
    assert.equal(config.http.token, "tok");
  });

  test("a deliberately broken config names every field, its problem and the fix", () => {
    const problems = problemsOf(`
lines:
  - name: main
    kind: ringcentral
    agent: receptionist
    ringcentral: { clientId: abc, clientSecret: written-here, jwt: "\${RC_JWT}" }
  - name: pbx
    kind: sip-acount
    agent: receptionist
  - name: dev
    kind: local
    listen: ["udp:127.0.0.1:99999", "foo"]
    agnet: receptionist
agents:
  receptionist: { tts: { provider: festival } }
  echo: { kind: echo, delayMs: "soon" }
`);
    const expected: Array<[string, RegExp]> = [
      ["lines[0].ringcentral.clientSecret", /secret is written directly.*fix: write clientSecret: \$\{/],
      ["lines[0].ringcentral.jwt", /RC_JWT is not set — fix: export RC_JWT=/],
      ["lines[1].kind", /"sip-acount" is not a known kind — fix: .*did you mean "sip-account"/],
      ["lines[2].agent", /required but missing — fix:/],
      ["lines[2].listen[0]", /"99999" is not a port number/],
      ["lines[2].listen[1]", /no protocol/],
      ["lines[2].agnet", /unknown field — fix: did you mean "agent"/],
      ["agents.receptionist.tts.provider", /"festival" is not allowed — fix: use one of "flite"/],
      ["agents.echo.delayMs", /expected number, got string "soon"/],
    ];
    for (const [field, pattern] of expected) {
      const line = problems.find((p) => p.startsWith(`${field}:`));
      assert.ok(line, `no problem reported for ${field}; got:\n${problems.join("\n")}`);
      assert.match(line, pattern);
    }
    assert.equal(problems.length, expected.length, problems.join("\n"));
    for (const p of problems) assert.doesNotMatch(p, /\n\s+at /, "no stack traces");
  });

  test("cross-field problems: unknown agent, duplicate names and addresses, port range", () => {
    const problems = problemsOf(`
lines:
  - { name: a, kind: local, agent: nobody, listen: ["udp:127.0.0.1:5070"] }
  - { name: a, kind: local, agent: echo, listen: ["udp:127.0.0.1:5070"] }
agents:
  echo: { kind: echo }
media: { rtpPortMin: 30000, rtpPortMax: 20000 }
`);
    assert.ok(
      problems.some((p) => /^lines\[0\]\.agent: no agent named "nobody" — fix: use one of "echo"/.test(p)),
    );
    assert.ok(problems.some((p) => /^lines\[1\]\.name: "a" is already used by lines\[0\]/.test(p)));
    assert.ok(
      problems.some((p) => /^lines\[1\]\.listen\[0\]: udp:127\.0\.0\.1:5070 is already used/.test(p)),
    );
    assert.ok(problems.some((p) => /^media\.rtpPortMin: 30000 is not below rtpPortMax/.test(p)));
  });

  test("${VAR}, ${VAR:-default} and ${file:...} are resolved; env overrides apply", () => {
    const dir = mkdtempSync(join(tmpdir(), "ringagent-config-"));
    const secretFile = join(dir, "pw");
    writeFileSync(secretFile, "from-file\n");
    const config = loadConfig({
      text: `
lines:
  - name: pbx
    kind: sip-account
    registrar: "\${PBX_HOST:-127.0.0.1:5060}"
    username: agent
    password: "\${file:${secretFile}}"
    agent: echo
agents: { echo: { kind: echo } }
`,
      env: { RINGAGENT_LOG_LEVEL: "debug" },
    });
    const line = config.lines[0];
    assert.equal(line?.kind === "sip-account" ? line.registrar : "", "127.0.0.1:5060");
    assert.equal(line?.kind === "sip-account" ? line.password : "", "from-file");
    assert.equal(config.log.level, "debug");
  });

  test("YAML syntax errors point at the line and column", () => {
    const problems = problemsOf("lines: [\n  - a: 1\n  b");
    assert.ok(problems.length >= 1 && problems.length <= 3);
    assert.match(problems[0] ?? "", /^test\.yaml:\d+:\d+: YAML syntax error: .* — fix:/);
  });

  test("a missing file is a clear error", () => {
    assert.throws(
      () => loadConfig({ path: "/nonexistent/ringagent.yaml" }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.problems[0] ?? "", /cannot read the config file \(ENOENT\) — fix:/);
        return true;
      },
    );
  });
});
