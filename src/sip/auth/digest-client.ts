import { randomToken } from "../../shared/index.js";
import type { SipResponse } from "../message/sip-message.js";
import type { DigestAlgorithm } from "./digest-hash.js";
import { digestResponse, parseAlgorithm } from "./digest-hash.js";
import { formatDigestParams, parseDigestParams } from "./digest-params.js";

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
  /**
   * Realm to hash with instead of the challenge's (RingCentral hashes with the configured SIP
   * domain; see ringcentral.md 3.2). Default: the realm from the challenge.
   */
  readonly realmOverride?: string | undefined;
}

export interface DigestRequestInfo {
  readonly method: string;
  /** The Request-URI exactly as sent. */
  readonly uri: string;
  readonly body?: Buffer | undefined;
}

export interface AuthorizationHeader {
  readonly name: "Authorization" | "Proxy-Authorization";
  readonly value: string;
}

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: readonly string[];
  readonly opaque?: string | undefined;
  readonly stale: boolean;
}

/** Parses one WWW-Authenticate / Proxy-Authenticate value; undefined if not a usable Digest challenge. */
export function parseDigestChallenge(value: string): DigestChallenge | undefined {
  const parsed = parseDigestParams(value);
  if (parsed === undefined || parsed.scheme.toLowerCase() !== "digest") return undefined;
  const p = parsed.params;
  const nonce = p.get("nonce");
  const realm = p.get("realm");
  const algorithm = parseAlgorithm(p.get("algorithm"));
  if (nonce === undefined || realm === undefined || algorithm === undefined) return undefined;
  const qop = (p.get("qop") ?? "")
    .split(",")
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q.length > 0);
  return {
    realm,
    nonce,
    algorithm,
    qop,
    opaque: p.get("opaque"),
    stale: p.get("stale")?.toLowerCase() === "true",
  };
}

/**
 * Client side of SIP digest authentication (RFC 3261 22.2-22.3, RFC 7616, RFC 2617): turns a 401
 * (WWW-Authenticate) or 407 (Proxy-Authenticate) into the Authorization / Proxy-Authorization
 * header for the retried request. Keeps the nonce count per nonce (RFC 7616 3.4: nc increments for
 * each request that reuses a nonce).
 */
export class DigestClient {
  readonly #credentials: DigestCredentials;
  readonly #makeCnonce: () => string;
  readonly #nonceCounts = new Map<string, number>();

  constructor(credentials: DigestCredentials, options: { makeCnonce?: () => string } = {}) {
    this.#credentials = credentials;
    this.#makeCnonce = options.makeCnonce ?? (() => randomToken(8));
  }

  /**
   * The header answering `response`'s challenge, or undefined when we should give up: no usable
   * challenge, or `alreadyAuthorized` (the challenged request carried our credentials) and the
   * challenge is not `stale=true` (RFC 7616 3.3: stale means retry with the new nonce without
   * asking the user again; otherwise the credentials were wrong).
   */
  authorize(
    response: SipResponse,
    request: DigestRequestInfo,
    options: { alreadyAuthorized?: boolean } = {},
  ): AuthorizationHeader | undefined {
    const proxy = response.status === 407;
    const values = response.headers.getAll(proxy ? "Proxy-Authenticate" : "WWW-Authenticate");
    const challenges = values.map(parseDigestChallenge).filter((c): c is DigestChallenge => c !== undefined);
    // RFC 8760 2.4: prefer the strongest algorithm offered.
    const challenge = challenges.find((c) => c.algorithm.startsWith("SHA-256")) ?? challenges[0];
    if (challenge === undefined) return undefined;
    if (options.alreadyAuthorized === true && !challenge.stale) return undefined;
    return { name: proxy ? "Proxy-Authorization" : "Authorization", value: this.answer(challenge, request) };
  }

  /** The credentials value for `challenge` (exposed for tests and for preemptive reuse of a nonce). */
  answer(challenge: DigestChallenge, request: DigestRequestInfo): string {
    const qop = challenge.qop.includes("auth")
      ? "auth"
      : challenge.qop.includes("auth-int")
        ? "auth-int"
        : undefined;
    const realm = this.#credentials.realmOverride ?? challenge.realm;
    const entries: [string, string][] = [
      ["username", this.#credentials.username],
      ["realm", realm],
      ["nonce", challenge.nonce],
      ["uri", request.uri],
    ];
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop !== undefined) {
      const count = (this.#nonceCounts.get(challenge.nonce) ?? 0) + 1;
      this.#nonceCounts.set(challenge.nonce, count);
      nc = count.toString(16).padStart(8, "0");
      cnonce = this.#makeCnonce();
    }
    const response = digestResponse({
      algorithm: challenge.algorithm,
      username: this.#credentials.username,
      realm,
      password: this.#credentials.password,
      nonce: challenge.nonce,
      method: request.method,
      uri: request.uri,
      qop,
      nc,
      cnonce,
      body: request.body,
    });
    entries.push(["response", response], ["algorithm", challenge.algorithm]);
    if (qop !== undefined && nc !== undefined && cnonce !== undefined) {
      entries.push(["qop", qop], ["nc", nc], ["cnonce", cnonce]);
    }
    if (challenge.opaque !== undefined) entries.push(["opaque", challenge.opaque]);
    return formatDigestParams("Digest", entries);
  }
}
