/**
 * HTTP failures of remote model providers as typed errors. The body is parsed as a model of each
 * provider's documented error shape (never matched on text):
 *   OpenAI and compatible servers  {"error":{"message","type","param","code"}}
 *   ElevenLabs                     {"detail":{"status","message"}} (or FastAPI's {"detail":"..."|[...]})
 *   Deepgram                       {"err_code","err_msg","request_id"} (REST and WebSocket handshake)
 * Whether a retry may succeed is decided by the status code alone.
 */
import { ProviderError } from "../base/provider-retry.js";

/** Statuses for which the same request may succeed later (timeouts, rate limits, server trouble). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** A stable code per class of status, so that callers never need the number or the text. */
export function codeForStatus(status: number): string {
  if (status === 401 || status === 403) return "provider_auth_failed";
  if (status === 402) return "provider_payment_required";
  if (status === 404) return "provider_not_found";
  if (status === 408) return "provider_timeout";
  if (status === 429) return "provider_rate_limited";
  if (status >= 500) return "provider_unavailable";
  if (status >= 400) return "provider_bad_request";
  return "provider_http_error";
}

/** The provider's own description of an error, from its JSON body. */
export interface ProviderErrorBody {
  readonly message?: string;
  /** OpenAI `error.type`, ElevenLabs `detail.status`, Deepgram `err_code`. */
  readonly type?: string;
  /** OpenAI `error.code`. */
  readonly code?: string;
  readonly param?: string;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Reads an error body of any of the known shapes; undefined when it is none of them. */
export function parseErrorBody(body: unknown): ProviderErrorBody | undefined {
  const root = asRecord(body);
  if (root === undefined) return undefined;
  const error = asRecord(root.error);
  if (error !== undefined) {
    return definedOnly({
      message: asString(error.message),
      type: asString(error.type),
      code: asString(error.code) ?? (typeof error.code === "number" ? String(error.code) : undefined),
      param: asString(error.param),
    });
  }
  if (typeof root.error === "string") return definedOnly({ message: root.error }); // Ollama, llama.cpp
  const detail = root.detail;
  const detailRecord = asRecord(detail);
  if (detailRecord !== undefined) {
    return definedOnly({ message: asString(detailRecord.message), type: asString(detailRecord.status) });
  }
  if (typeof detail === "string") return definedOnly({ message: detail });
  if (Array.isArray(detail)) {
    const first = asRecord(detail[0]);
    return definedOnly({ message: asString(first?.msg), type: asString(first?.type) });
  }
  if (typeof root.err_code === "string" || typeof root.err_msg === "string") {
    return definedOnly({ message: asString(root.err_msg), type: asString(root.err_code) });
  }
  return undefined;
}

function definedOnly(body: Record<string, string | undefined>): ProviderErrorBody {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Retry-After as milliseconds: `retry-after-ms` (OpenAI) first, then `retry-after` as seconds or
 * an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMsFrom(
  header: (name: string) => string | null | undefined,
  nowEpochMs: number,
): number | undefined {
  const ms = Number.parseFloat(header("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = header("retry-after")?.trim();
  if (value === undefined || value.length === 0) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowEpochMs);
}

/** An HTTP error from a provider, with what the provider said about it. */
export class ProviderHttpError extends ProviderError {
  readonly status: number;
  readonly body: ProviderErrorBody | undefined;

  constructor(
    provider: string,
    status: number,
    body: ProviderErrorBody | undefined,
    options: { retryAfterMs?: number | undefined; cause?: unknown } = {},
  ) {
    const said = body?.message !== undefined ? `: ${body.message.slice(0, 300)}` : "";
    super(provider, codeForStatus(status), `${provider} answered HTTP ${status}${said}`, {
      retryable: isRetryableStatus(status),
      ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.status = status;
    this.body = body;
  }
}

/** Builds the typed error of a failed fetch() response (reads its body). */
export async function errorFromResponse(
  provider: string,
  response: Response,
  nowEpochMs: number,
): Promise<ProviderHttpError> {
  let parsed: unknown;
  try {
    const text = await response.text();
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return new ProviderHttpError(provider, response.status, parseErrorBody(parsed), {
    retryAfterMs: retryAfterMsFrom((n) => response.headers.get(n), nowEpochMs),
  });
}

/** A connection that failed or broke mid-stream: the same request may well succeed. */
export function connectionError(provider: string, cause: unknown): ProviderError {
  return new ProviderError(provider, "provider_connection_failed", `${provider} connection failed`, {
    retryable: true,
    cause,
  });
}
