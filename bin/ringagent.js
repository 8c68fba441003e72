#!/usr/bin/env -S node --max-semi-space-size=4
// The `ringagent` command. Runs the compiled service from dist/ (build it with `npm run build`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "ringagent: the compiled service is missing (dist/main.js) — run `npm run build` first\n",
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
