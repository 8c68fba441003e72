import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RingagentConfig } from "../config/index.js";
import { runCli } from "./cli.js";

function harness(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const started: RingagentConfig[] = [];
  return {
    out,
    err,
    started,
    run: (argv: string[]) =>
      runCli(
        argv,
        {
          start: async (config) => {
            started.push(config);
          },
        },
        { out: (t) => out.push(t), err: (t) => err.push(t), env, version: "9.9.9" },
      ),
  };
}

describe("ringagent CLI", () => {
  test("--help and --version", async () => {
    const h = harness();
    assert.equal(await h.run(["--help"]), 0);
    assert.match(h.out.join(""), /Usage: ringagent <command>/);
    assert.equal(await h.run(["--version"]), 0);
    assert.match(h.out.join(""), /9\.9\.9/);
  });

  test("start with no config starts the local line on 127.0.0.1", async () => {
    const h = harness();
    assert.equal(await h.run(["start"]), 0);
    const config = h.started[0];
    assert.ok(config);
    const line = config.lines[0];
    assert.equal(line?.kind, "local");
    assert.ok(line?.kind === "local" && line.listen.every((l) => l.includes("127.0.0.1")));
  });

  test("an invalid config exits 2 with field-level messages and no stack trace", async () => {
    const h = harness();
    const code = await h.run(["start", "--config", "/nonexistent.yaml"]);
    assert.equal(code, 2);
    assert.match(
      h.err.join(""),
      /invalid configuration:\n {2}- \/nonexistent\.yaml: cannot read the config file/,
    );
    assert.doesNotMatch(h.err.join(""), /\bat .*\.ts:\d+/);
    assert.equal(h.started.length, 0);
  });

  test("unknown commands and options are usage errors", async () => {
    const h = harness();
    assert.equal(await h.run(["dance"]), 2);
    assert.match(h.err.join(""), /unknown command "dance"/);
    assert.equal(await h.run(["start", "--bogus"]), 2);
    assert.match(h.err.join(""), /Unknown option '--bogus'/);
    assert.equal(await h.run([]), 2);
  });
});
