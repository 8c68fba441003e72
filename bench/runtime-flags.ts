/**
 * Benchmarks measure the service as it runs: with the runtime V8 flags of bin/ringagent.js
 * (src/main/runtime-flags.ts). When this process lacks them, `relaunchWithRuntimeFlags()` runs the
 * same script again in a child with them and returns the child's exit code (undefined when the flags
 * are already there). `--default-gc` measures without them, for comparison.
 */
import { spawn } from "node:child_process";
import { missingRuntimeFlags } from "../src/main/runtime-flags.js";

export async function relaunchWithRuntimeFlags(): Promise<number | undefined> {
  const missing = missingRuntimeFlags();
  if (missing.length === 0 || process.argv.includes("--default-gc")) return undefined;
  const script = process.argv[1];
  if (script === undefined) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...missing, script, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
