/**
 * SDES key parameters (RFC 4568 6.1): `inline:<base64 key||salt>[|lifetime][|MKI:length]`, and a
 * fresh random master key per call. We do not put an MKI in packets, so key params carrying an
 * MKI are rejected with "mki-unsupported" (RFC 4568 6.1: the MKI "MUST" then be in every packet).
 */
import { randomBytes } from "node:crypto";
import { type SrtpCryptoSuite, srtpSuites } from "./srtp-crypto-suite.js";

export interface SrtpMasterKey {
  readonly masterKey: Uint8Array;
  readonly masterSalt: Uint8Array;
}

export interface InlineKeyParams extends SrtpMasterKey {
  /** Key lifetime in packets when given (`2^31` -> 2147483648). */
  readonly lifetimePackets?: number | undefined;
}

export type InlineKeyError =
  | "not-inline"
  | "multiple-keys-unsupported"
  | "bad-base64"
  | "wrong-key-length"
  | "bad-lifetime"
  | "mki-unsupported"
  | "bad-mki";

export type InlineKeyResult =
  | { readonly ok: true; readonly key: InlineKeyParams }
  | { readonly ok: false; readonly error: InlineKeyError };

const inlinePrefix = "inline:";
const base64Alphabet = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

function fail(error: InlineKeyError): InlineKeyResult {
  return { ok: false, error };
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) if (ch < "0" || ch > "9") return false;
  return true;
}

/** A fresh random master key and salt for `suite` (30 bytes for the AES-128 suites). */
export function generateSrtpMasterKey(suite: SrtpCryptoSuite = "AES_CM_128_HMAC_SHA1_80"): SrtpMasterKey {
  const p = srtpSuites[suite];
  const bytes = randomBytes(p.masterKeyBytes + p.masterSaltBytes);
  return {
    masterKey: new Uint8Array(bytes.subarray(0, p.masterKeyBytes)),
    masterSalt: new Uint8Array(bytes.subarray(p.masterKeyBytes)),
  };
}

/** Parses the key-params of an `a=crypto` line for an AES-128 suite. Never throws. */
export function parseInlineKeyParams(
  keyParams: string,
  suite: SrtpCryptoSuite = "AES_CM_128_HMAC_SHA1_80",
): InlineKeyResult {
  const text = keyParams.trim();
  if (!text.startsWith(inlinePrefix)) return fail("not-inline");
  // RFC 4568 9.2: key-params = key-param *(";" key-param) — several keys only make sense with MKIs.
  if (text.includes(";")) return fail("multiple-keys-unsupported");
  const [keySalt = "", ...rest] = text.slice(inlinePrefix.length).split("|");
  for (const ch of keySalt) if (!base64Alphabet.has(ch)) return fail("bad-base64");
  const p = srtpSuites[suite];
  const decoded = Buffer.from(keySalt, "base64");
  if (decoded.toString("base64").replace(/=+$/, "") !== keySalt.replace(/=+$/, "")) return fail("bad-base64");
  if (decoded.length !== p.masterKeyBytes + p.masterSaltBytes) return fail("wrong-key-length");
  let lifetimePackets: number | undefined;
  let fields = rest;
  const first = fields[0];
  if (first !== undefined && !first.includes(":")) {
    // RFC 4568 6.1: lifetime = ["2^"] 1*(DIGIT)
    const exponent = first.startsWith("2^") ? first.slice(2) : undefined;
    if (exponent !== undefined) {
      if (!isDigits(exponent) || Number(exponent) > 48) return fail("bad-lifetime");
      lifetimePackets = 2 ** Number(exponent);
    } else {
      if (!isDigits(first)) return fail("bad-lifetime");
      lifetimePackets = Number(first);
    }
    fields = fields.slice(1);
  }
  if (fields.length > 0) {
    const [mki = "", length = "", ...extra] = (fields[0] ?? "").split(":");
    if (fields.length > 1 || extra.length > 0 || !isDigits(mki) || !isDigits(length)) return fail("bad-mki");
    return fail("mki-unsupported");
  }
  return {
    ok: true,
    key: {
      masterKey: new Uint8Array(decoded.subarray(0, p.masterKeyBytes)),
      masterSalt: new Uint8Array(decoded.subarray(p.masterKeyBytes)),
      lifetimePackets,
    },
  };
}

/**
 * Formats key-params: `inline:<base64 key||salt>` plus `|2^n` when `lifetimeLog2` is given.
 * No MKI (we never send one).
 */
export function formatInlineKeyParams(key: SrtpMasterKey, lifetimeLog2?: number): string {
  const b64 = Buffer.concat([key.masterKey, key.masterSalt]).toString("base64");
  return lifetimeLog2 === undefined ? `${inlinePrefix}${b64}` : `${inlinePrefix}${b64}|2^${lifetimeLog2}`;
}
