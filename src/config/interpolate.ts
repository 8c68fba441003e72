import { readFileSync } from "node:fs";
import { secretFields } from "./schema.js";

/**
 * Replaces `${VAR}`, `${VAR:-default}` and `${file:/path}` in every string of a parsed YAML tree.
 * Problems (unset variables, unreadable files, secrets written literally) are collected with the
 * path of the field, never thrown.
 */
export interface InterpolationResult {
  value: unknown;
  problems: string[];
}

const reference = /\$\{([^}]*)\}/g;

export function interpolate(tree: unknown, env: NodeJS.ProcessEnv): InterpolationResult {
  const problems: string[] = [];

  const expand = (text: string, path: string): string =>
    text.replace(reference, (_match, inner: string) => {
      if (inner.startsWith("file:")) {
        const file = inner.slice("file:".length);
        try {
          return readFileSync(file, "utf8").trim();
        } catch {
          problems.push(`${path}: cannot read secret file "${file}" — fix: create it or correct the path`);
          return "";
        }
      }
      const defaultAt = inner.indexOf(":-");
      const name = defaultAt >= 0 ? inner.slice(0, defaultAt) : inner;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.push(
          `${path}: "\${${inner}}" is not a valid reference — fix: write \${ENV_VAR} or \${file:/path}`,
        );
        return "";
      }
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (defaultAt >= 0) return inner.slice(defaultAt + 2);
      problems.push(
        `${path}: environment variable ${name} is not set — fix: export ${name}=... before starting`,
      );
      return "";
    });

  const walk = (node: unknown, path: string, key: string | undefined): unknown => {
    if (typeof node === "string") {
      if (key !== undefined && secretFields.has(key) && !node.includes("${")) {
        problems.push(
          `${path}: a secret is written directly in the config file — fix: write ${key}: \${SOME_ENV_VAR} (or \${file:/run/secrets/name}) and set it in the environment`,
        );
      }
      return expand(node, path);
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`, undefined));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, path === "" ? k : `${path}.${k}`, k);
      return out;
    }
    return node;
  };

  return { value: walk(tree, "", undefined), problems };
}
