import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { checkLayers } from "./check-layers.js";

const fixture = join(import.meta.dirname, "fixtures", "layers-bad");

test("a file in src/sip importing src/media is a violation", () => {
  const violations = checkLayers(fixture);
  assert.ok(
    violations.some(
      (v) =>
        v.file.endsWith(join("sip", "transport.ts")) &&
        v.reason.includes('"sip" must not import layer "media"'),
    ),
    JSON.stringify(violations),
  );
});

test("an import that bypasses a layer's index.ts is a violation", () => {
  const violations = checkLayers(fixture);
  assert.ok(
    violations.some((v) => v.specifier === "../shared/clock.js" && v.reason.includes("public surface")),
  );
});

test("importing src/main.ts or src/main/** from another layer is a violation; main's own parts are not", () => {
  const violations = checkLayers(fixture);
  const fromCli = violations.filter((v) => v.file.endsWith(join("cli", "run-cli.ts")));
  assert.deepEqual(
    fromCli.map((v) => v.specifier).sort(),
    ["../main.js", "../main/service-wiring.js"],
    JSON.stringify(violations),
  );
  assert.ok(fromCli.every((v) => v.reason.includes("composition root")));
  assert.ok(
    !violations.some((v) => v.file.endsWith("main.ts") || v.file.includes(join("src", "main", ""))),
    JSON.stringify(violations),
  );
});

test("the checker exits non-zero on the fixture and zero on the project", () => {
  const script = join(import.meta.dirname, "check-layers.ts");
  const bad = spawnSync(process.execPath, ["--import", "tsx", script, "--root", fixture], {
    encoding: "utf8",
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /must not import layer "media"/);
  const good = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
  assert.equal(good.status, 0, good.stderr);
});
