import type { SipHeaders } from "./sip-headers.js";
import type { Uri } from "./sip-uri.js";

export interface SipRequest {
  readonly kind: "request";
  readonly method: string;
  readonly uri: Uri;
  readonly headers: SipHeaders;
  /** Body bytes (Content-Length counts bytes). */
  readonly body: Buffer;
}

export interface SipResponse {
  readonly kind: "response";
  readonly status: number;
  readonly reason: string;
  readonly headers: SipHeaders;
  readonly body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export type ParseErrorReason =
  | "empty"
  | "no-header-end"
  | "bad-start-line"
  | "bad-method"
  | "bad-request-uri"
  | "bad-version"
  | "bad-status-code"
  | "bad-header-line"
  | "bad-header-list"
  | "bad-content-length"
  | "truncated-body";

export interface ParseError {
  readonly reason: ParseErrorReason;
  readonly detail: string;
}

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: ParseError };
