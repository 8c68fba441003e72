import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The first existing `relativePath` under the folder of `moduleUrl` or one of its ancestors (up
 * to 8 levels): finds a repo file such as a built addon from src/ (tsx) and from dist/ alike.
 */
export function findUpwards(moduleUrl: string, relativePath: string): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
