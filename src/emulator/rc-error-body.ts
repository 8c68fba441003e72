/** RingCentral's error bodies, shaped as on the wire (ringcentral.md 1.5, 5, 8). */

export interface RcErrorReply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `{"errors":[{"errorCode","message"}]}` (ApiErrorResponseModel), plus the flat pair some endpoints add. */
export function apiError(
  status: number,
  errorCode: string,
  message: string,
  parameterName?: string,
): RcErrorReply {
  const entry: Record<string, string> = { errorCode, message };
  if (parameterName !== undefined) entry.parameterName = parameterName;
  return { status, body: { errorCode, message, errors: [entry] } };
}

/** OAuth endpoints: RFC 6749 `error` merged with RingCentral's `errors[]`. */
export function oauthError(status: number, error: string, errorCode: string, message: string): RcErrorReply {
  return {
    status,
    body: { error, errors: [{ errorCode, message }], error_description: message },
  };
}

export const errors = {
  clientAuthRequired: () => oauthError(401, "invalid_client", "OAU-123", "Client authentication is required"),
  invalidClient: () => oauthError(401, "invalid_client", "OAU-153", "Invalid client: "),
  unsupportedGrant: () => oauthError(400, "unsupported_grant_type", "OAU-250", "Unsupported grant type"),
  invalidJwt: () => oauthError(400, "invalid_grant", "OAU-140", "Invalid resource owner credentials"),
  tokenExpired: () => oauthError(400, "invalid_grant", "OAU-210", "Token expired"),
  // [I] the revoked-refresh-token code is undocumented; the shape is RingCentral's invalid_grant.
  tokenRevoked: () => oauthError(400, "invalid_grant", "OAU-211", "Token is revoked"),
  missingAuthorization: () => apiError(401, "OAU-123", "Invalid Authorization header value"),
  accessTokenExpired: () => apiError(401, "OAU-128", "Access token expired."),
  accessTokenUnknown: () => apiError(401, "OAU-149", "Unparsable access token"),
  notFound: (parameterName: string) =>
    apiError(404, "CMN-102", `Resource for parameter [${parameterName}] is not found`, parameterName),
  incorrectState: () => apiError(409, "TAS-102", "Incorrect State"),
  invalidParameter: (parameterName: string) =>
    apiError(400, "CMN-101", `Parameter [${parameterName}] value is invalid`, parameterName),
  missingPermission: (permission: string) =>
    apiError(
      403,
      "CMN-408",
      `In order to call this API endpoint, application needs to have [${permission}] permission`,
    ),
  rateExceeded: () => apiError(429, "CMN-301", "Request rate exceeded"),
  webhookInvalid: () => apiError(400, "SUB-525", "WebHook server response is invalid"),
  invalidFilters: () => apiError(400, "SUB-508", "Invalid event filters"),
  subscriptionNotFound: () => apiError(404, "SUB-507", "Subscription not found"),
} as const;
