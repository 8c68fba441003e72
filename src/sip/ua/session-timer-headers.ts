/**
 * Header text of RFC 4028 session timers (Session-Expires, Min-SE, Supported/Require: timer) and
 * of RFC 3261 20.43 Warning. Parsing goes through the message model's parameter scanner; the
 * policy (intervals, who refreshes) belongs to the caller (telephony).
 */

import { getParam, parseParams, quote } from "../message/header-scan.js";
import type { ExtraHeaders } from "../message/message-builders.js";
import type { SipHeaders } from "../message/sip-headers.js";

export type SessionRefresher = "uac" | "uas";

/** RFC 4028 4: `Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)`. */
export interface SessionExpires {
  readonly deltaS: number;
  readonly refresher: SessionRefresher | undefined;
}

function deltaSeconds(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Session-Expires of a request or response; undefined when absent or malformed. */
export function parseSessionExpires(headers: SipHeaders): SessionExpires | undefined {
  const value = headers.get("Session-Expires")?.trim();
  if (value === undefined) return undefined;
  const semi = value.indexOf(";");
  const deltaS = deltaSeconds((semi < 0 ? value : value.slice(0, semi)).trim());
  if (deltaS === undefined || deltaS === 0) return undefined;
  let refresher: SessionRefresher | undefined;
  if (semi >= 0) {
    const params = parseParams(value, semi);
    if (!params.ok) return undefined;
    const r = getParam(params.params, "refresher")?.toLowerCase();
    refresher = r === "uac" || r === "uas" ? r : undefined;
  }
  return { deltaS, refresher };
}

/** RFC 4028 5: `Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)`. */
export function parseMinSe(headers: SipHeaders): number | undefined {
  const value = headers.get("Min-SE")?.trim();
  if (value === undefined) return undefined;
  const semi = value.indexOf(";");
  return deltaSeconds((semi < 0 ? value : value.slice(0, semi)).trim());
}

/** Whether `option-tag` is listed in the Supported (or Require) headers. */
export function hasOptionTag(headers: SipHeaders, header: "Supported" | "Require", tag: string): boolean {
  const wanted = tag.toLowerCase();
  return headers.getAll(header).some((v) => v.split(",").some((t) => t.trim().toLowerCase() === wanted));
}

export function formatSessionExpires(value: SessionExpires): string {
  return value.refresher === undefined
    ? String(value.deltaS)
    : `${value.deltaS};refresher=${value.refresher}`;
}

/**
 * Headers of a 2xx that accepts session timers (RFC 4028 9): Session-Expires with the refresher;
 * "If the refresher ... has a value of 'uac', the UAS MUST place a Require header field into the
 * response with the value 'timer'" (we also add it whenever the UAC said Supported: timer, which
 * makes it legal in the response).
 */
export function sessionTimerResponseHeaders(value: SessionExpires, uacSupportsTimer: boolean): ExtraHeaders {
  return [
    ["Session-Expires", formatSessionExpires(value)],
    ["Supported", "timer"],
    ...(uacSupportsTimer || value.refresher === "uac" ? [["Require", "timer"] as const] : []),
  ];
}

/** RFC 3261 20.43: `warning-value = warn-code SP warn-agent SP warn-text`, text a quoted-string. */
export function formatWarning(code: number, agent: string, text: string): string {
  const safeCode = Number.isInteger(code) && code >= 300 && code <= 399 ? code : 399;
  // Warning text is a quoted-string of UTF-8 TEXT: strip control characters before quoting.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removes CR/LF and other controls from header text.
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return `${safeCode} ${agent} ${quote(clean)}`;
}
