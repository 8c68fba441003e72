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
