/**
 * Runs the test suite with Node's built-in test runner (TypeScript through tsx).
 *   tsx scripts/run-tests.ts            unit tests (src/**\/*.test.ts) then integration tests (test/**\/*.test.ts)
 *   tsx scripts/run-tests.ts --unit     unit tests only
 *   tsx scripts/run-tests.ts --integration
 *   tsx scripts/run-tests.ts path/a.test.ts ...   just these files
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");

function findTests(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    if (name === "node_modules" || name === "fixtures" || name === "bed") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith(".test.ts")) out.push(relative(root, full));
  }
  return out;
}

const args = process.argv.slice(2);
const explicit = args.filter((a) => !a.startsWith("--"));
const unitOnly = args.includes("--unit");
const integrationOnly = args.includes("--integration");

const groups: Array<{ name: string; files: string[]; concurrency: number }> = [];
if (explicit.length > 0) {
  groups.push({ name: "selected", files: explicit, concurrency: 1 });
} else {
  if (!integrationOnly)
    groups.push({
      name: "unit",
      files: [...findTests(join(root, "src")), ...findTests(join(root, "scripts"))],
      concurrency: 2,
    });
  if (!unitOnly) groups.push({ name: "integration", files: findTests(join(root, "test")), concurrency: 1 });
}

let failed = false;
for (const group of groups) {
  if (group.files.length === 0) continue;
  console.log(`\n# ${group.name} tests: ${group.files.length} files`);
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${group.concurrency}`,
      "--test-timeout=300000",
      ...group.files,
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env } },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
