import { createHmac, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../shared/index.js";
import type { SipRequest } from "../message/sip-message.js";
import type { DigestAlgorithm } from "./digest-hash.js";
import { digestResponse, parseAlgorithm } from "./digest-hash.js";
import { formatDigestParams, parseDigestParams } from "./digest-params.js";

export interface DigestServerOptions {
  readonly realm: string;
  /** Key for the nonce HMAC (at least 16 random bytes; shared by instances behind a dispatcher). */
  readonly secret: Buffer;
  readonly clock: Clock;
  /** Default 300 000 ms. */
  readonly nonceTtlMs?: number;
  readonly algorithm?: DigestAlgorithm;
}

export type DigestVerifyResult =
  | { readonly ok: true; readonly username: string }
  | {
      readonly ok: false;
      readonly reason:
        | "missing"
        | "malformed"
        | "wrong-realm"
        | "unknown-user"
        | "bad-nonce"
        | "stale"
        | "wrong-response";
    };

const macBytes = 16;

/**
 * Server side of digest auth for trunk mode: stateless nonces = base64url(epochMs as 8 bytes +
 * HMAC-SHA256(secret, epochMs) truncated to 16 bytes), so any instance sharing the secret can verify,
 * and an expired but authentic nonce is reported as stale (RFC 7616 3.3, stale=true).
 */
export class DigestServer {
  readonly #options: DigestServerOptions;
  readonly #ttlMs: number;
  readonly #algorithm: DigestAlgorithm;

  constructor(options: DigestServerOptions) {
    this.#options = options;
    this.#ttlMs = options.nonceTtlMs ?? 300_000;
    this.#algorithm = options.algorithm ?? "MD5";
  }

  #mac(stamp: Buffer): Buffer {
    return createHmac("sha256", this.#options.secret).update(stamp).digest().subarray(0, macBytes);
  }

  createNonce(): string {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#options.clock.epochMs()))));
    return Buffer.concat([stamp, this.#mac(stamp)]).toString("base64url");
  }

  /** "valid", "stale" (authentic but expired) or "invalid". */
  checkNonce(nonce: string): "valid" | "stale" | "invalid" {
    const raw = Buffer.from(nonce, "base64url");
    if (raw.length !== 8 + macBytes || raw.toString("base64url") !== nonce) return "invalid";
    const stamp = raw.subarray(0, 8);
    if (!timingSafeEqual(this.#mac(stamp), raw.subarray(8))) return "invalid";
    const ageMs = this.#options.clock.epochMs() - Number(stamp.readBigUInt64BE());
    if (ageMs < 0 || ageMs > this.#ttlMs) return "stale";
    return "valid";
  }

  /** The WWW-Authenticate (or Proxy-Authenticate) value for a 401 (407). */
  challenge(options: { stale?: boolean } = {}): string {
    const entries: [string, string][] = [
      ["realm", this.#options.realm],
      ["nonce", this.createNonce()],
      ["algorithm", this.#algorithm],
      ["qop", "auth"],
    ];
    if (options.stale === true) entries.push(["stale", "true"]);
    return formatDigestParams("Digest", entries);
  }

  /**
   * Verifies the Authorization (or Proxy-Authorization with `proxy`) header of `request`.
   * `lookupPassword` returns undefined for an unknown user. Compares in constant time.
   */
  verify(
    request: SipRequest,
    lookupPassword: (username: string) => string | undefined,
    options: { proxy?: boolean } = {},
  ): DigestVerifyResult {
    const header = request.headers.get(options.proxy === true ? "Proxy-Authorization" : "Authorization");
    if (header === undefined) return { ok: false, reason: "missing" };
    const parsed = parseDigestParams(header);
    if (parsed === undefined || parsed.scheme.toLowerCase() !== "digest")
      return { ok: false, reason: "malformed" };
    const p = parsed.params;
    const username = p.get("username");
    const nonce = p.get("nonce");
    const uri = p.get("uri");
    const given = p.get("response");
    const algorithm = parseAlgorithm(p.get("algorithm"));
    const qop = p.get("qop");
    if (username === undefined || nonce === undefined || uri === undefined || given === undefined) {
      return { ok: false, reason: "malformed" };
    }
    if (algorithm === undefined || (qop !== undefined && qop !== "auth" && qop !== "auth-int")) {
      return { ok: false, reason: "malformed" };
    }
    if (p.get("realm") !== this.#options.realm) return { ok: false, reason: "wrong-realm" };
    const nonceState = this.checkNonce(nonce);
    if (nonceState === "invalid") return { ok: false, reason: "bad-nonce" };
    const password = lookupPassword(username);
    if (password === undefined) return { ok: false, reason: "unknown-user" };
    const expected = digestResponse({
      algorithm,
      username,
      realm: this.#options.realm,
      password,
      nonce,
      method: request.method,
      uri,
      qop,
      nc: p.get("nc"),
      cnonce: p.get("cnonce"),
      body: request.body,
    });
    const a = Buffer.from(expected.toLowerCase());
    const b = Buffer.from(given.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: "wrong-response" };
    // RFC 7616 3.3: a correct response with an expired nonce is answered with stale=true.
    if (nonceState === "stale") return { ok: false, reason: "stale" };
    return { ok: true, username };
  }
}
