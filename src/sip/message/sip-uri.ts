import type { Param } from "./header-scan.js";
import { findParam, formatParams } from "./header-scan.js";

export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

/** sip: / sips: URI (RFC 3261 19.1). User and password are kept escaped, as written. */
export interface SipUri {
  readonly kind: "sip";
  readonly scheme: "sip" | "sips";
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** Host name, IPv4, or IPv6 without brackets. */
  readonly host: string;
  readonly port?: number | undefined;
  readonly params: readonly Param[];
  readonly headers: readonly UriHeader[];
}

/** tel: URI (RFC 3966). */
export interface TelUri {
  readonly kind: "tel";
  readonly number: string;
  readonly params: readonly Param[];
}

/** Any other absoluteURI (RFC 3261 25.1), kept opaque so the UA can answer 416. */
export interface OtherUri {
  readonly kind: "other";
  readonly scheme: string;
  readonly opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

function hasForbiddenChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return true;
  }
  return false;
}
const hostChars = /^[A-Za-z0-9.-]+$/;
const ipv6Chars = /^[0-9A-Fa-f:.]+$/;
const userChars = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/]+$/;
const passwordChars = /^[A-Za-z0-9\-_.!~*'()%&=+$,]*$/;
const paramChars = /^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+$/;
const schemeChars = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function parseUriParams(s: string): Param[] | undefined {
  if (s.length === 0) return [];
  const params: Param[] = [];
  for (const part of s.split(";")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    if (!paramChars.test(name)) return undefined;
    if (eq < 0) params.push({ name });
    else {
      const value = part.slice(eq + 1);
      if (!paramChars.test(value)) return undefined;
      params.push({ name, value });
    }
  }
  return params;
}

function parseHostPort(s: string): { host: string; port?: number } | undefined {
  let host: string;
  let rest: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return undefined;
    host = s.slice(1, close);
    if (!ipv6Chars.test(host) || !host.includes(":")) return undefined;
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(":");
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? "" : s.slice(colon);
    if (!hostChars.test(host)) return undefined;
  }
  if (rest.length === 0) return { host };
  if (!rest.startsWith(":") || !/^\d{1,5}$/.test(rest.slice(1))) return undefined;
  const port = Number(rest.slice(1));
  if (port > 65535) return undefined;
  return { host, port };
}

/** Parses a URI; undefined when it is not well-formed (never throws). */
export function parseUri(text: string): Uri | undefined {
  if (text.length === 0 || hasForbiddenChar(text)) return undefined;
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (!schemeChars.test(scheme)) return undefined;
  const rest = text.slice(colon + 1);
  if (scheme === "sip" || scheme === "sips") return parseSipUri(scheme, rest);
  if (scheme === "tel") {
    const [number = "", ...paramParts] = rest.split(";");
    if (!/^[0-9A-Fa-f*#+\-.()pPwW]+$/.test(number)) return undefined;
    const params = parseUriParams(paramParts.join(";"));
    if (params === undefined) return undefined;
    return { kind: "tel", number, params };
  }
  if (rest.length === 0) return undefined;
  return { kind: "other", scheme, opaque: rest };
}

function parseSipUri(scheme: "sip" | "sips", rest: string): SipUri | undefined {
  let userinfo: string | undefined;
  let hostPart = rest;
  const at = rest.indexOf("@");
  if (at >= 0) {
    userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
  }
  let user: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const pc = userinfo.indexOf(":");
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (pc >= 0) {
      password = userinfo.slice(pc + 1);
      if (!passwordChars.test(password)) return undefined;
    }
    if (!userChars.test(user)) return undefined;
  }
  let headersText = "";
  const q = hostPart.indexOf("?");
  if (q >= 0) {
    headersText = hostPart.slice(q + 1);
    hostPart = hostPart.slice(0, q);
  }
  const semi = hostPart.indexOf(";");
  const hostport = semi < 0 ? hostPart : hostPart.slice(0, semi);
  const params = parseUriParams(semi < 0 ? "" : hostPart.slice(semi + 1));
  if (params === undefined) return undefined;
  const hp = parseHostPort(hostport);
  if (hp === undefined) return undefined;
  const headers: UriHeader[] = [];
  if (headersText.length > 0) {
    for (const h of headersText.split("&")) {
      const eq = h.indexOf("=");
      if (eq <= 0) return undefined;
      headers.push({ name: h.slice(0, eq), value: h.slice(eq + 1) });
    }
  }
  return { kind: "sip", scheme, user, password, host: hp.host, port: hp.port, params, headers };
}

export function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case "sip": {
      let out = `${uri.scheme}:`;
      if (uri.user !== undefined) {
        out += uri.user;
        if (uri.password !== undefined) out += `:${uri.password}`;
        out += "@";
      }
      out += formatHost(uri.host);
      if (uri.port !== undefined) out += `:${uri.port}`;
      out += formatParams(uri.params);
      if (uri.headers.length > 0) out += `?${uri.headers.map((h) => `${h.name}=${h.value}`).join("&")}`;
      return out;
    }
    case "tel":
      return `tel:${uri.number}${formatParams(uri.params)}`;
    case "other":
      return `${uri.scheme}:${uri.opaque}`;
  }
}

/** Builds a sip: URI from parts. */
export function sipUri(parts: {
  host: string;
  user?: string | undefined;
  port?: number | undefined;
  scheme?: "sip" | "sips";
  params?: readonly Param[];
}): SipUri {
  return {
    kind: "sip",
    scheme: parts.scheme ?? "sip",
    user: parts.user,
    password: undefined,
    host: parts.host,
    port: parts.port,
    params: parts.params ?? [],
    headers: [],
  };
}

/** The value of URI parameter `name` ("" for a flag), or undefined. */
export function uriParam(uri: Uri, name: string): string | undefined {
  if (uri.kind === "other") return undefined;
  const p = findParam(uri.params, name);
  if (p === undefined) return undefined;
  return p.value ?? "";
}
