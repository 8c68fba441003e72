import { readFileSync } from "node:fs";
import { isMap, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../shared/index.js";
import { formatIssues } from "./format-issues.js";
import { interpolate } from "./interpolate.js";
import { formatListenSpec, parseListenSpec } from "./listen-spec.js";
import { configSchema, type RingagentConfig } from "./schema.js";

export interface LoadConfigOptions {
  /** YAML text; when omitted, the file at `path` is read. */
  text?: string;
  /** Used in messages, and read when `text` is omitted. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The configuration used when no file is given: the `local` line on 127.0.0.1 answered by the
 * offline receptionist, plus the built-in diagnostic agents.
 */
export const defaultConfigText = `
lines:
  - name: dev
    kind: local
    listen: ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"]
    agent: receptionist
agents:
  receptionist:
    kind: conversation
  echo-test:
    kind: echo
`;

/**
 * Reads, interpolates and validates a configuration. Throws {@link ConfigError} with one line per
 * problem (field, problem, fix) — never a stack trace for a user's mistake.
 */
export function loadConfig(options: LoadConfigOptions = {}): RingagentConfig {
  const env = options.env ?? process.env;
  const source = options.path ?? "(built-in default)";
  let text = options.text;
  if (text === undefined) {
    if (options.path === undefined) text = defaultConfigText;
    else {
      try {
        text = readFileSync(options.path, "utf8");
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new ConfigError([
          `${source}: cannot read the config file (${code ?? "error"}) — fix: check the path, or run without --config for the built-in default`,
        ]);
      }
    }
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      // The first errors only: later ones are usually the parser losing its way after the first.
      document.errors.slice(0, 3).map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return `${source}:${at.line}:${at.col}: YAML syntax error: ${e.message.split("\n")[0]} — fix: correct the YAML at that line`;
      }),
    );
  }
  if (!isMap(document.contents)) {
    throw new ConfigError([
      `${source}: the file must be a YAML mapping with lines: and agents: — fix: see ringagent.example.yaml`,
    ]);
  }

  const raw = document.toJS() as unknown;
  const interpolated = interpolate(raw, env);
  const withEnv = applyEnvOverrides(interpolated.value, env);
  const problems = [...interpolated.problems];
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    // A field whose ${VAR} could not be resolved is already reported; skip the echo of it.
    const reported = interpolated.problems.map((p) => p.slice(0, p.indexOf(":")));
    problems.push(
      ...formatIssues(result.error.issues, withEnv).filter(
        (p) => !reported.includes(p.slice(0, p.indexOf(":"))),
      ),
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  problems.push(...crossCheck(result.data));
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

function applyEnvOverrides(tree: unknown, env: NodeJS.ProcessEnv): unknown {
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) return tree;
  const out = { ...(tree as Record<string, unknown>) };
  if (env.RINGAGENT_LOG_LEVEL) out.log = { ...asObject(out.log), level: env.RINGAGENT_LOG_LEVEL };
  if (env.RINGAGENT_HTTP_LISTEN) out.http = { ...asObject(out.http), listen: env.RINGAGENT_HTTP_LISTEN };
  if (env.RINGAGENT_API_TOKEN && asObject(out.http).token === undefined) {
    out.http = { ...asObject(out.http), token: env.RINGAGENT_API_TOKEN };
  }
  return out;
}

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Rules that span fields: references between lines and agents, duplicate names and addresses. */
function crossCheck(config: RingagentConfig): string[] {
  const problems: string[] = [];
  const agentNames = Object.keys(config.agents);
  const seenNames = new Map<string, number>();
  const seenListen = new Map<string, string>();
  config.lines.forEach((line, i) => {
    const where = `lines[${i}]`;
    if (!(line.agent in config.agents)) {
      problems.push(
        `${where}.agent: no agent named "${line.agent}" — fix: use one of ${agentNames.map((n) => `"${n}"`).join(", ") || "(none defined)"} or define it under agents:`,
      );
    }
    const previous = seenNames.get(line.name);
    if (previous !== undefined) {
      problems.push(
        `${where}.name: "${line.name}" is already used by lines[${previous}] — fix: give each line its own name`,
      );
    } else seenNames.set(line.name, i);
    const listens = line.kind === "local" || line.kind === "sip-trunk" ? line.listen : [];
    listens.forEach((text, j) => {
      const spec = parseListenSpec(text);
      if ("problem" in spec || spec.port === 0) return;
      const key = formatListenSpec(spec);
      const owner = seenListen.get(key);
      if (owner !== undefined) {
        problems.push(
          `${where}.listen[${j}]: ${key} is already used by ${owner} — fix: give each line its own port`,
        );
      } else seenListen.set(key, `${where}.listen[${j}]`);
    });
  });
  if (config.media.rtpPortMin >= config.media.rtpPortMax) {
    problems.push(
      `media.rtpPortMin: ${config.media.rtpPortMin} is not below rtpPortMax ${config.media.rtpPortMax} — fix: make rtpPortMin < rtpPortMax`,
    );
  }
  return problems;
}
