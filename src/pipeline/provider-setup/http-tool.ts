/**
 * Tools defined in the configuration and served by an HTTP endpoint: a JSON schema the model sees,
 * a URL that receives the arguments (POST as JSON, or GET as query parameters), an optional auth
 * header whose value comes from the environment. The response text goes back to the model as the
 * tool result; a failure is reported to the model as such (so it can apologise), never thrown.
 */
import type { ToolSpec } from "../llm/llm-types.js";
import { MissingCredentialError } from "./provider-credentials.js";

export interface HttpToolConfig {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (an object schema). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly url: string;
  readonly method?: "POST" | "GET";
  /** e.g. { header: "Authorization", env: "CRM_TOKEN", prefix: "Bearer " }. */
  readonly auth?: { readonly header: string; readonly env: string; readonly prefix?: string | undefined };
  readonly timeoutMs?: number;
  /** Longest result handed to the model, in characters (default 4000). */
  readonly maxResultChars?: number;
}

export interface HttpTool {
  readonly spec: ToolSpec;
  run(args: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<string>;
}

export function createHttpTool(
  config: HttpToolConfig,
  env: Readonly<Record<string, string | undefined>>,
): HttpTool {
  let authValue: string | undefined;
  if (config.auth !== undefined) {
    const value = env[config.auth.env];
    if (value === undefined || value.length === 0) {
      throw new MissingCredentialError(`tool "${config.name}"`, config.auth.env);
    }
    authValue = `${config.auth.prefix ?? ""}${value}`;
  }
  const method = config.method ?? "POST";
  const maxChars = config.maxResultChars ?? 4000;
  return {
    spec: { name: config.name, description: config.description, parameters: config.parameters },
    async run(args, signal): Promise<string> {
      const headers: Record<string, string> = { accept: "application/json, text/plain" };
      if (config.auth !== undefined && authValue !== undefined) headers[config.auth.header] = authValue;
      let url = config.url;
      let body: string | undefined;
      if (method === "GET") {
        const u = new URL(config.url);
        for (const [k, v] of Object.entries(args)) {
          u.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
        }
        url = u.toString();
      } else {
        headers["content-type"] = "application/json";
        body = JSON.stringify(args);
      }
      try {
        const response = await fetch(url, {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs ?? 5000)]),
        });
        const text = await response.text();
        if (!response.ok) return JSON.stringify({ error: `HTTP ${response.status}` });
        return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
      } catch {
        if (signal.aborted) throw signal.reason;
        return JSON.stringify({ error: "tool endpoint unreachable or too slow" });
      }
    },
  };
}
