import { RingagentError } from "../shared/index.js";

/**
 * A RingCentral REST failure (ringcentral.md 1.5, 5, 8). `status` is the HTTP status (0 when no
 * response arrived), `errorCode` RingCentral's own code (OAU-xxx, CMN-xxx, TAS-xxx, SUB-xxx...),
 * `rcMessage` RingCentral's text (kept out of `message`: it may echo parameter values), and
 * `explanation` what it means for us. `code` is the stable product code callers switch on.
 */
export class RingCentralApiError extends RingagentError {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly oauthError: string | undefined;
  readonly rcMessage: string | undefined;
  readonly explanation: string;
  /** Seconds from `Retry-After` on a 429/503, when present. */
  readonly retryAfterS: number | undefined;

  constructor(init: {
    status: number;
    method: string;
    path: string;
    errorCode?: string | undefined;
    oauthError?: string | undefined;
    rcMessage?: string | undefined;
    retryAfterS?: number | undefined;
    cause?: unknown;
  }) {
    const explanation = explainRingCentralError(init.status, init.errorCode, init.oauthError);
    super(
      productCodeOf(init.status),
      `RingCentral ${init.method} ${routeShape(init.path)} failed: HTTP ${init.status}${init.errorCode ? ` ${init.errorCode}` : ""}: ${explanation}`,
      { retryable: isRetryableStatus(init.status), cause: init.cause },
    );
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.oauthError = init.oauthError;
    this.rcMessage = init.rcMessage;
    this.explanation = explanation;
    this.retryAfterS = init.retryAfterS;
  }
}

/** 429, 5xx and "no response" may succeed later; 400/401/403/404/409 never do as they are. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

function productCodeOf(status: number): string {
  if (status === 0) return "ringcentral_unreachable";
  if (status === 400) return "ringcentral_bad_request";
  if (status === 401) return "ringcentral_unauthorized";
  if (status === 403) return "ringcentral_forbidden";
  if (status === 404) return "ringcentral_not_found";
  if (status === 409) return "ringcentral_conflict";
  if (status === 429) return "ringcentral_rate_limited";
  if (status >= 500) return "ringcentral_server_error";
  return "ringcentral_http_error";
}

/** Replaces path segments that look like ids or numbers, so messages never carry them. */
export function routeShape(path: string): string {
  const [pathOnly = ""] = path.split("?");
  return pathOnly
    .split("/")
    .map((segment) => (/\d/.test(segment) && segment !== "v1.0" ? ":id" : segment))
    .join("/");
}

const byErrorCode: Readonly<Record<string, string>> = {
  "TAS-102": "the call party is no longer in a state that allows this (already answered, ended or moved)",
  "TAS-115": "this call does not support the operation (for example ACR mute)",
  "CMN-102": "the call, party or resource no longer exists or is not visible to this extension",
  "CMN-408":
    "the app lacks a permission this endpoint needs: add it to the app in the RingCentral Developer Console (Settings > App permissions), then create a new JWT login",
  "CMN-201": "RingCentral's service is temporarily unavailable",
  "CMN-301": "request rate exceeded for this app and user; wait for Retry-After",
  "CMN-302": "request rate exceeded for this app and user; wait for Retry-After",
  "CMN-304": "a duplicate request is still running",
  "CMN-310": "RingCentral's global request rate was exceeded; wait for Retry-After",
  "OAU-123": "client authentication failed: check the app's client id and secret",
  "OAU-128": "the access token expired",
  "OAU-129": "the access token is corrupted",
  "OAU-146": "invalid client credentials: check the app's client id and secret",
  "OAU-149": "the access token cannot be parsed",
  "OAU-153": "invalid client: check the app's client id",
  "OAU-112":
    "the app is not allowed to use the JWT grant: enable JWT auth for the app in the Developer Console",
  "OAU-125": "the grant type is not allowed for this app: enable JWT auth in the Developer Console",
  "OAU-210": "the token expired: log in again with the JWT credential",
  "OAU-211": "the token was revoked: log in again with the JWT credential",
  "OAU-251": "the app is not authorized for this operation",
  "OAU-347": "the JWT credential is signed with an unsupported algorithm",
  "SUB-505": "the subscription limit for this extension and app was reached",
  "SUB-507": "the subscription expired or no longer exists",
  "SUB-508": "invalid event filters",
  "SUB-525": "the webhook did not answer the validation request correctly within 3 seconds",
};

/** A human explanation: by RingCentral error code first, then by OAuth error, then by status. */
export function explainRingCentralError(
  status: number,
  errorCode: string | undefined,
  oauthError: string | undefined,
): string {
  if (errorCode !== undefined) {
    const known = byErrorCode[errorCode];
    if (known !== undefined) return known;
  }
  if (oauthError === "invalid_grant")
    return "the grant (JWT credential or refresh token) is invalid or expired";
  if (oauthError === "invalid_client")
    return "client authentication failed: check the app's client id and secret";
  if (oauthError === "unauthorized_client") return "the app is not authorized for this grant type";
  if (status === 0) return "no response from RingCentral (network error or timeout)";
  if (status === 400) return "RingCentral rejected the request as invalid";
  if (status === 401) return "not authenticated (token missing, expired or revoked)";
  if (status === 403) return "the app or user lacks the permission for this operation";
  if (status === 404) return "the resource does not exist or is not visible to this extension";
  if (status === 409) return "the call party is no longer in a state that allows this";
  if (status === 429) return "request rate exceeded; wait for Retry-After";
  if (status >= 500) return "RingCentral server error";
  return "unexpected HTTP status";
}

interface ParsedErrorBody {
  errorCode?: string;
  oauthError?: string;
  rcMessage?: string;
}

function stringField(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" ? field : undefined;
}

/** Reads RingCentral's error body shapes: `{errors:[{errorCode,message}]}`, OAuth `{error,...}`, flat `{errorCode,message}`. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const out: ParsedErrorBody = {};
  if (body === null || typeof body !== "object") return out;
  const errors = (body as Record<string, unknown>).errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  const errorCode = stringField(first, "errorCode") ?? stringField(body, "errorCode");
  const rcMessage =
    stringField(first, "message") ?? stringField(body, "error_description") ?? stringField(body, "message");
  const oauthError = stringField(body, "error");
  if (errorCode !== undefined) out.errorCode = errorCode;
  if (rcMessage !== undefined) out.rcMessage = rcMessage;
  if (oauthError !== undefined) out.oauthError = oauthError;
  return out;
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfterS(value: unknown, nowEpochMs: number): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, (dateMs - nowEpochMs) / 1000);
}
