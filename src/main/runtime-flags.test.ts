import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { missingRuntimeFlags, runtimeV8Flags } from "./runtime-flags.js";

const root = new URL("../../", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), "utf8");

test("bin/ringagent.js, start-agent.sh and npm start pass every runtime V8 flag", () => {
  const shebang = read("bin/ringagent.js").split("\n")[0] ?? "";
  const startScript = read("scripts/start-agent.sh");
  const npmStart =
    (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.start ?? "";
  for (const flag of runtimeV8Flags) {
    assert.match(shebang, /^#!\/usr\/bin\/env -S node /, "shebang passes flags with env -S");
    assert.ok(shebang.split(" ").includes(flag), `bin/ringagent.js shebang lacks ${flag}`);
    assert.ok(startScript.includes(`node ${flag} bin/ringagent.js`), `start-agent.sh lacks ${flag}`);
    assert.ok(npmStart.includes(`node ${flag} bin/ringagent.js`), `npm start lacks ${flag}`);
  }
});

test("missingRuntimeFlags names the flags absent from execArgv", () => {
  assert.deepEqual(missingRuntimeFlags([...runtimeV8Flags]), []);
  const saved = process.env.NODE_OPTIONS;
  delete process.env.NODE_OPTIONS;
  try {
    assert.deepEqual(missingRuntimeFlags([]), [...runtimeV8Flags]);
  } finally {
    if (saved !== undefined) process.env.NODE_OPTIONS = saved;
  }
});
