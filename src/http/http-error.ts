/**
 * The one HTTP error type (hono's HTTPException idea): it carries its status, code and headers and
 * builds its own response, so every handler just throws and the server's error handler sends
 * `toResponse()`. Bodies are `{ "error": { "code", "message" } }`; messages never carry PII.
 */
import { RingagentError } from "../shared/index.js";

export interface HttpErrorBody {
  error: { code: string; message: string };
}

export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: HttpErrorBody;
}

export class HttpError extends RingagentError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
  }

  toResponse(): HttpErrorResponse {
    return {
      status: this.status,
      headers: { ...this.headers },
      body: { error: { code: this.code, message: this.message } },
    };
  }

  static badRequest(message: string, code = "bad_request"): HttpError {
    return new HttpError(400, code, message);
  }

  static notFound(message = "not found", code = "not_found"): HttpError {
    return new HttpError(404, code, message);
  }

  static conflict(message: string, code = "conflict"): HttpError {
    return new HttpError(409, code, message);
  }
}

/** Any thrown value as an HttpError: known store errors map to 4xx, the rest is a 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof RingagentError) {
    switch (error.code) {
      case "store_invalid":
        return new HttpError(400, "bad_request", error.message);
      case "store_not_found":
        return new HttpError(404, "not_found", error.message);
      case "store_unavailable":
        return new HttpError(503, "store_unavailable", "the call store is unavailable");
    }
  }
  // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a 4xx statusCode.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500 && error instanceof Error) {
    return new HttpError(statusCode, "bad_request", error.message);
  }
  return new HttpError(500, "internal", "internal error", { cause: error });
}
