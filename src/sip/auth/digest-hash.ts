import { createHash } from "node:crypto";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

export function parseAlgorithm(text: string | undefined): DigestAlgorithm | undefined {
  if (text === undefined) return "MD5"; // RFC 7616 3.3: absent means MD5
  switch (text.toUpperCase()) {
    case "MD5":
      return "MD5";
    case "MD5-SESS":
      return "MD5-sess";
    case "SHA-256":
      return "SHA-256";
    case "SHA-256-SESS":
      return "SHA-256-sess";
    default:
      return undefined;
  }
}

function h(algorithm: DigestAlgorithm, data: string | Buffer): string {
  const name = algorithm.startsWith("SHA-256") ? "sha256" : "md5";
  return createHash(name).update(data).digest("hex");
}

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** "auth", "auth-int" or undefined (RFC 2069 compatibility, no qop). */
  readonly qop?: "auth" | "auth-int" | undefined;
  /** 8 hex digits, e.g. "00000001". */
  readonly nc?: string | undefined;
  readonly cnonce?: string | undefined;
  /** Needed for auth-int. */
  readonly body?: Buffer | undefined;
}

/** HA1 per RFC 7616 3.4.2 (with the -sess variant). */
export function digestHa1(input: Omit<DigestInput, "method" | "uri" | "qop" | "nc" | "body">): string {
  const base = h(input.algorithm, `${input.username}:${input.realm}:${input.password}`);
  if (input.algorithm.endsWith("-sess"))
    return h(input.algorithm, `${base}:${input.nonce}:${input.cnonce ?? ""}`);
  return base;
}

/** The `response` value (RFC 7616 3.4.1, RFC 2617 3.2.2.1). */
export function digestResponse(input: DigestInput): string {
  const ha1 = digestHa1(input);
  const a2 =
    input.qop === "auth-int"
      ? `${input.method}:${input.uri}:${h(input.algorithm, input.body ?? Buffer.alloc(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = h(input.algorithm, a2);
  if (input.qop === undefined) return h(input.algorithm, `${ha1}:${input.nonce}:${ha2}`);
  return h(
    input.algorithm,
    `${ha1}:${input.nonce}:${input.nc ?? ""}:${input.cnonce ?? ""}:${input.qop}:${ha2}`,
  );
}
