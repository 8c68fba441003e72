import type { z } from "zod";
import { agentKinds, lineKinds } from "./schema.js";

/** Every field name the schema knows, for "did you mean" suggestions on misspelt keys. */
const knownFields = [
  "lines",
  "agents",
  "sip",
  "media",
  "http",
  "store",
  "recordings",
  "log",
  "name",
  "kind",
  "agent",
  "maxConcurrentCalls",
  "answerDelayMs",
  "callers",
  "allow",
  "deny",
  "codecs",
  "listen",
  "srtp",
  "registrar",
  "domain",
  "username",
  "authUsername",
  "password",
  "transport",
  "outboundProxy",
  "outboundProxyBackup",
  "registerExpiresS",
  "tls",
  "caFile",
  "verifyCertificate",
  "allowPeers",
  "auth",
  "realm",
  "ringcentral",
  "server",
  "clientId",
  "clientSecret",
  "jwt",
  "deviceId",
  "region",
  "delayMs",
  "file",
  "recordDir",
  "hangupAfterPlay",
  "language",
  "greeting",
  "instructions",
  "stt",
  "llm",
  "tts",
  "tools",
  "userAgent",
  "t1Ms",
  "t2Ms",
  "t4Ms",
  "rtpPortMin",
  "rtpPortMax",
  "mediaTimeoutMs",
  "token",
  "enabled",
  "path",
  "url",
  "dir",
  "retentionDays",
  "level",
  "pretty",
  "provider",
  // conversation agent vad / turn (agent-turn-schema.ts)
  "vad",
  "turn",
  "startWindowMs",
  "stopWindowMs",
  "minEnergyDb",
  "threshold",
  "negThreshold",
  "thresholdDb",
  "initialNoiseFloorDb",
  "noiseFloorRiseMs",
  "noiseFloorFallMs",
  "maxHighBandRatio",
  "endpointSilenceMs",
  "minSpeechMs",
  "sttFinalTimeoutMs",
  "maxCallerSpeechMs",
  "idleRepromptMs",
  "maxReprompts",
  "preRollMs",
  "bargeIn",
  "falseInterruptionMs",
  "backchannels",
  "minWords",
];

/** What to do about a field, when the generic message is not enough. Keyed by the last path segment. */
const fixes: Record<string, string> = {
  agent: "name an agent defined under agents:",
  kind: "see ringagent.example.yaml for the kinds",
  listen: "write PROTOCOL:HOST:PORT, e.g. udp:127.0.0.1:5060",
  registrar: "write the registrar host, e.g. pbx.example.com or 10.0.0.5:5060",
  clientId: "copy the client id of your app from the RingCentral Developer Console",
  clientSecret: "set it from the environment: clientSecret: ${RC_CLIENT_SECRET}",
  jwt: "create a JWT credential in the Developer Console and write jwt: ${RC_JWT}",
  password: "set it from the environment: password: ${SIP_PASSWORD}",
  allowPeers: "list the IP addresses or CIDR ranges of your trunk provider",
  lines: "add a line, e.g. { name: dev, kind: local, agent: echo-test }",
};

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (dp[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = dp[i] as number[];
      const prev = dp[i - 1] as number[];
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
  }
  return (dp[a.length] as number[])[b.length] as number;
}

function suggest(key: string): string | undefined {
  return closest(key, knownFields);
}

function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeReceived(input: unknown): string {
  if (input === undefined) return "missing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  return typeof input === "object" ? "an object" : `${typeof input} ${JSON.stringify(input)}`;
}

/** One line per problem: `<field>: <what is wrong> — fix: <what to do>`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = formatPath(issue.path);
    const last = issue.path.at(-1);
    const fix = typeof last === "string" ? fixes[last] : undefined;
    const withFix = (problem: string, fallback?: string): string => {
      const advice = fix ?? fallback;
      return advice === undefined ? `${where}: ${problem}` : `${where}: ${problem} — fix: ${advice}`;
    };
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const near = suggest(key);
          const at = where === "(top level)" ? key : `${where}.${key}`;
          lines.push(
            `${at}: unknown field — fix: ${near !== undefined && near !== key ? `did you mean "${near}"?` : "remove it (see ringagent.example.yaml for the fields)"}`,
          );
        }
        break;
      case "invalid_type": {
        const received = describeReceived(valueAt(root, issue.path));
        if (received === "missing")
          lines.push(withFix("is required but missing", `add ${String(last ?? "it")}`));
        else
          lines.push(
            withFix(`expected ${issue.expected}, got ${received}`, `write a ${issue.expected} here`),
          );
        break;
      }
      case "invalid_value":
        // The allowed values are the most precise fix (e.g. vad.kind), ahead of a per-key hint.
        lines.push(
          `${where}: ${describeReceived(valueAt(root, issue.path))} is not allowed — fix: use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
        );
        break;
      case "invalid_union": {
        if (last === "kind") {
          const kinds = issue.path[0] === "lines" ? lineKinds : agentKinds;
          const value = valueAt(root, issue.path);
          const near = typeof value === "string" ? closest(value, kinds) : undefined;
          lines.push(
            `${where}: ${describeReceived(value)} is not a known kind — fix: use one of ${kinds.join(", ")}${near === undefined ? "" : ` (did you mean "${near}"?)`}`,
          );
          break;
        }
        const value = valueAt(root, issue.path);
        const kind =
          value !== null && typeof value === "object" ? (value as { kind?: unknown }).kind : undefined;
        lines.push(
          withFix(
            `does not match any known shape${kind === undefined ? "" : ` (kind ${JSON.stringify(kind)})`}`,
          ),
        );
        break;
      }
      case "too_small":
      case "too_big":
        lines.push(withFix(issue.message.replace(/^Too (small|big): /, "")));
        break;
      default:
        lines.push(withFix(issue.message));
    }
  }
  return lines;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
