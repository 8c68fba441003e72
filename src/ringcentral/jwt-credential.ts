/**
 * Checks the JWT credential without sending it anywhere (ringcentral.md 1.6 [I]): base64url-decode
 * the middle segment and read `exp` (seconds since epoch) when present. "Never expires" credentials
 * have no `exp` or a far-future one. The credential itself never appears in the result.
 */

export type JwtCredentialCheck =
  | { readonly status: "malformed"; readonly problem: string }
  | { readonly status: "no-expiry" }
  | { readonly status: "valid"; readonly expiresAtMs: number; readonly daysLeft: number }
  | { readonly status: "expiring-soon"; readonly expiresAtMs: number; readonly daysLeft: number }
  | { readonly status: "expired"; readonly expiresAtMs: number };

export const defaultJwtWarnDays = 14;

export function checkJwtCredential(
  jwt: string,
  nowEpochMs: number,
  warnDays: number = defaultJwtWarnDays,
): JwtCredentialCheck {
  const parts = jwt.trim().split(".");
  if (parts.length !== 3) {
    return { status: "malformed", problem: "a JWT credential has three dot-separated parts" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return { status: "malformed", problem: "the JWT payload is not base64url-encoded JSON" };
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return { status: "malformed", problem: "the JWT payload is not a JSON object" };
  }
  const exp = (payload as Record<string, unknown>).exp;
  if (exp === undefined) return { status: "no-expiry" };
  if (typeof exp !== "number" || !Number.isFinite(exp)) {
    return { status: "malformed", problem: "the JWT `exp` claim is not a number" };
  }
  const expiresAtMs = exp * 1000;
  if (expiresAtMs <= nowEpochMs) return { status: "expired", expiresAtMs };
  const daysLeft = Math.floor((expiresAtMs - nowEpochMs) / 86_400_000);
  if (daysLeft < warnDays) return { status: "expiring-soon", expiresAtMs, daysLeft };
  return { status: "valid", expiresAtMs, daysLeft };
}

/** One line for `doctor` and logs (no part of the credential). */
export function describeJwtCheck(check: JwtCredentialCheck): string {
  switch (check.status) {
    case "malformed":
      return `JWT credential is malformed: ${check.problem}`;
    case "no-expiry":
      return "JWT credential has no expiry";
    case "valid":
      return `JWT credential valid until ${new Date(check.expiresAtMs).toISOString()} (${check.daysLeft} days)`;
    case "expiring-soon":
      return `JWT credential expires in ${check.daysLeft} days (${new Date(check.expiresAtMs).toISOString()}): create a new one in the RingCentral Developer Console`;
    case "expired":
      return `JWT credential expired at ${new Date(check.expiresAtMs).toISOString()}: create a new one in the RingCentral Developer Console`;
  }
}
