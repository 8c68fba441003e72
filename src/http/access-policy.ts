/**
 * Who may call the API. With a token configured, every route except /healthz and /readyz needs
 * `Authorization: Bearer <token>`: none (or another scheme) is 401 with `WWW-Authenticate: Bearer`,
 * a wrong token 403; tokens are compared in constant time.
 *
 * Without a token (the decision, documented here): the server refuses to start on
 * any address but loopback; on loopback the API is open to local programs, with two guards against
 * web pages in a local browser: the `Host` header must name a loopback host (defeats DNS
 * rebinding) and a request carrying an `Origin` header must come from a loopback origin (refuses
 * cross-site requests, e.g. a page POSTing to /hangup).
 *
 * Webhook paths (a ringcentral line's `webhook.path`) are exempt from both: RingCentral cannot send
 * our bearer token, and reaches us through a public name; the webhook receiver authenticates each
 * notification with the subscription's verification token instead (401 when wrong).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { RingagentError } from "../shared/index.js";
import { HttpError } from "./http-error.js";

export const publicPaths: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);

const realm = 'Bearer realm="ringagent"';

/** True for 127.0.0.0/8, ::1 and `localhost` (with or without IPv6 brackets). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  if (isIP(lower) === 6)
    return lower === "::1" || lower === "0:0:0:0:0:0:0:1" || lower.startsWith("::ffff:127.");
  return false;
}

/** The host name of a `Host` header or an origin URL, or undefined if it does not parse. */
function hostnameOf(value: string, asOrigin: boolean): string | undefined {
  try {
    return new URL(asOrigin ? value : `http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time equality (hashing first makes the comparison independent of the lengths). */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export interface AccessPolicy {
  /** Throws the HttpError to send, or returns when the request may proceed. */
  check(path: string, headers: { authorization?: string; host?: string; origin?: string }): void;
  readonly mode: "token" | "loopback-open";
}

/**
 * Throws `http_token_required` when no token is configured for a non-loopback address.
 * `webhookPaths` are served without the token (their handlers check their own credentials).
 */
export function createAccessPolicy(
  token: string | undefined,
  listenHost: string,
  webhookPaths: readonly string[] = [],
): AccessPolicy {
  const exempt = new Set([...publicPaths, ...webhookPaths]);
  if (token === undefined || token === "") {
    if (!isLoopbackHost(listenHost)) {
      throw new RingagentError(
        "http_token_required",
        `the HTTP API listens on ${listenHost}, which is not loopback, but no API token is set: ` +
          "set http.token (e.g. ${RINGAGENT_API_TOKEN}) or listen on 127.0.0.1",
      );
    }
    return {
      mode: "loopback-open",
      check(path, headers) {
        if (exempt.has(path)) return;
        const host = headers.host === undefined ? undefined : hostnameOf(headers.host, false);
        if (host === undefined || !isLoopbackHost(host)) {
          throw new HttpError(
            403,
            "host_not_allowed",
            "without an API token only loopback Host names are served",
          );
        }
        if (headers.origin !== undefined) {
          const origin = hostnameOf(headers.origin, true);
          if (origin === undefined || !isLoopbackHost(origin)) {
            throw new HttpError(
              403,
              "origin_not_allowed",
              "cross-origin requests are refused without an API token",
            );
          }
        }
      },
    };
  }
  return {
    mode: "token",
    check(path, headers) {
      if (exempt.has(path)) return;
      const authorization = headers.authorization;
      if (authorization === undefined || authorization.trim() === "") {
        throw new HttpError(
          401,
          "unauthorized",
          "missing the Authorization header: send 'Authorization: Bearer <token>'",
          {
            headers: { "www-authenticate": realm },
          },
        );
      }
      const space = authorization.indexOf(" ");
      const scheme = space < 0 ? authorization : authorization.slice(0, space);
      const presented = space < 0 ? "" : authorization.slice(space + 1).trim();
      if (scheme.toLowerCase() !== "bearer" || presented === "") {
        throw new HttpError(401, "unauthorized", "the Authorization header must be 'Bearer <token>'", {
          headers: { "www-authenticate": `${realm}, error="invalid_request"` },
        });
      }
      if (!tokensEqual(presented, token)) {
        throw new HttpError(403, "forbidden", "the bearer token is not valid");
      }
    },
  };
}
