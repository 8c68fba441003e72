/**
 * Layer-boundary check (design.md "Layers"): every import between folders of src/ must go downward
 * along the allowed arrows, and must enter another layer through its public surface (index.ts).
 *
 *   tsx scripts/check-layers.ts [--root DIR]     DIR holds a src/ folder (default: the project)
 *
 * Exit code 1 and one line per violation when any rule is broken.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** Which layers each layer may import. Anything not listed is forbidden (upward or sideways). */
export const allowedImports: Readonly<Record<string, readonly string[]>> = {
  shared: [],
  store: ["shared"],
  media: ["shared"],
  sip: ["shared"],
  config: ["shared"],
  telephony: ["sip", "media", "shared"],
  ringcentral: ["telephony", "sip", "media", "shared"],
  pipeline: ["media", "shared"],
  agent: ["pipeline", "telephony", "ringcentral", "store", "media", "config", "shared"],
  http: ["agent", "pipeline", "telephony", "ringcentral", "store", "media", "sip", "config", "shared"],
  cli: ["agent", "pipeline", "telephony", "ringcentral", "store", "media", "sip", "config", "shared"],
  emulator: ["shared"], // the RingCentral emulator (dev tool + test fixture); only main.ts imports it
  // src/main.ts, the composition root, and its parts in src/main/ may import every layer.
  main: [
    "emulator",
    "cli",
    "http",
    "agent",
    "pipeline",
    "telephony",
    "ringcentral",
    "store",
    "media",
    "sip",
    "config",
    "shared",
  ],
};

export interface Violation {
  file: string;
  specifier: string;
  reason: string;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTs(full));
    else if (name.endsWith(".ts")) out.push(full);
  }
  return out;
}

/** The layer a file belongs to: its top folder under src/ (so src/main/** is "main", like src/main.ts). */
function layerOf(srcDir: string, file: string): string | undefined {
  const rel = relative(srcDir, file);
  if (rel.startsWith("..")) return undefined;
  const parts = rel.split(sep);
  if (parts.length === 1) return parts[0] === "main.ts" ? "main" : "root";
  return parts[0];
}

export function checkLayers(projectRoot: string): Violation[] {
  const srcDir = join(projectRoot, "src");
  const violations: Violation[] = [];
  for (const file of listTs(srcDir)) {
    const fromLayer = layerOf(srcDir, file);
    const relFile = relative(projectRoot, file);
    if (fromLayer === undefined) continue;
    if (!(fromLayer in allowedImports)) {
      violations.push({ file: relFile, specifier: "", reason: `"${fromLayer}" is not a known layer` });
      continue;
    }
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      const specifier = ref.fileName;
      if (!specifier.startsWith(".")) continue; // packages: not a layer question
      const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
      const toLayer = layerOf(srcDir, target);
      if (toLayer === undefined) {
        violations.push({ file: relFile, specifier, reason: "imports from outside src/" });
        continue;
      }
      if (toLayer === fromLayer) continue;
      if (toLayer === "main") {
        violations.push({
          file: relFile,
          specifier,
          reason:
            "nothing imports the composition root (src/main.ts, src/main/); only main wires layers together",
        });
        continue;
      }
      const allowed = allowedImports[fromLayer] ?? [];
      if (!allowed.includes(toLayer)) {
        violations.push({
          file: relFile,
          specifier,
          reason: `layer "${fromLayer}" must not import layer "${toLayer}" (allowed: ${allowed.join(", ") || "nothing"})`,
        });
        continue;
      }
      const publicSurface = join(srcDir, toLayer, "index.ts");
      if (target !== publicSurface && target !== join(srcDir, toLayer)) {
        violations.push({
          file: relFile,
          specifier,
          reason: `import layer "${toLayer}" through its public surface src/${toLayer}/index.ts`,
        });
      }
    }
  }
  return violations;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const rootIndex = process.argv.indexOf("--root");
  const projectRoot =
    rootIndex > 0 ? resolve(process.argv[rootIndex + 1] ?? ".") : join(import.meta.dirname, "..");
  const violations = checkLayers(projectRoot);
  for (const v of violations)
    console.error(`${v.file}: ${v.specifier ? `import "${v.specifier}": ` : ""}${v.reason}`);
  if (violations.length > 0) {
    console.error(`layer check: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log("layer check: ok");
}
