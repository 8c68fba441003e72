import type { FastifyInstance, FastifyReply } from "fastify";
import { errors, type RcErrorReply } from "./rc-error-body.js";
import type { TokenStore } from "./token-store.js";

/**
 * `POST /restapi/oauth/token` (JWT bearer and refresh grants), `/revoke` and `/wstoken`
 * (ringcentral.md 1.1-1.4). Client authentication is Basic `clientId:clientSecret`, or `client_id`
 * in the body for a public app.
 */
export interface OAuthRouteOptions {
  readonly tokens: TokenStore;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly acceptedJwts: readonly string[] | undefined;
  readonly now: () => number;
  /** `ws://host:port/ws` of this emulator. */
  readonly wsUri: () => string;
}

export function sendError(reply: FastifyReply, error: RcErrorReply): FastifyReply {
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply.code(error.status).type("application/json").send(error.body);
}

function formOf(body: unknown): Record<string, string> {
  if (body === null || typeof body !== "object") return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") out[key] = value;
  return out;
}

/** The JWT rule of ringcentral.md 1.6: three parts, a base64url JSON payload, `exp` honoured if present. */
function jwtUsable(jwt: string, nowMs: number): boolean {
  const parts = jwt.split(".");
  if (parts.length !== 3) return false;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    if (payload === null || typeof payload !== "object") return false;
    const exp = (payload as { exp?: unknown }).exp;
    return exp === undefined || (typeof exp === "number" && exp * 1000 > nowMs);
  } catch {
    return false;
  }
}

function clientAuthError(
  authorization: string | undefined,
  form: Record<string, string>,
  options: OAuthRouteOptions,
): RcErrorReply | undefined {
  if (authorization?.startsWith("Basic ")) {
    const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const id = colon < 0 ? decoded : decoded.slice(0, colon);
    const secret = colon < 0 ? "" : decoded.slice(colon + 1);
    if (id !== options.clientId || (options.clientSecret !== undefined && secret !== options.clientSecret)) {
      return errors.invalidClient();
    }
    return undefined;
  }
  if (options.clientSecret !== undefined) return errors.clientAuthRequired();
  if (form.client_id !== options.clientId) return errors.invalidClient();
  return undefined;
}

export function registerOAuthRoutes(app: FastifyInstance, options: OAuthRouteOptions): void {
  app.post("/restapi/oauth/token", async (request, reply) => {
    const form = formOf(request.body);
    const authError = clientAuthError(request.headers.authorization, form, options);
    if (authError !== undefined) return sendError(reply, authError);
    if (form.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      const jwt = form.assertion ?? "";
      const accepted = options.acceptedJwts === undefined || options.acceptedJwts.includes(jwt);
      if (!accepted || !jwtUsable(jwt, options.now())) return sendError(reply, errors.invalidJwt());
      return reply.code(200).send(options.tokens.login());
    }
    if (form.grant_type === "refresh_token") {
      const result = options.tokens.refresh(form.refresh_token ?? "");
      if ("status" in result) return sendError(reply, result);
      return reply.code(200).send(result);
    }
    return sendError(reply, errors.unsupportedGrant());
  });

  app.post("/restapi/oauth/revoke", async (request, reply) => {
    const form = formOf(request.body);
    const query = formOf(request.query);
    const token = form.token ?? query.token;
    if (token !== undefined) options.tokens.revoke(token);
    return reply.code(200).send();
  });

  app.post("/restapi/oauth/wstoken", async (request, reply) => {
    const auth = options.tokens.authenticate(request.headers.authorization);
    if ("status" in auth) return sendError(reply, auth);
    const ws = options.tokens.issueWsToken(auth.sessionId);
    return reply.code(200).send({
      ws_access_token: ws.token,
      uri: options.wsUri(),
      expires_in: options.tokens.wsTtlS,
    });
  });
}
