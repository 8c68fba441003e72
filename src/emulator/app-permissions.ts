/**
 * App permissions (ringcentral.md 2, 4.3, 5, 7): an app without the permission an endpoint needs
 * gets 403 CMN-408 "In order to call this API endpoint, application needs to have [X] permission".
 * The mapping of endpoints to permissions follows the spec's `x-app-permission` where the fact
 * sheet records it; `device/{id}/sip-info` -> VoipCalling is [I] (the softphone permission).
 */
export type AppPermission =
  | "ReadAccounts"
  | "VoipCalling"
  | "CallControl"
  | "ReadCallLog"
  | "WebSocketsSubscriptions";

export const allAppPermissions: readonly AppPermission[] = [
  "ReadAccounts",
  "VoipCalling",
  "CallControl",
  "ReadCallLog",
  "WebSocketsSubscriptions",
];

/** The permission a request needs, or undefined when it needs none we emulate. */
export function requiredPermission(path: string): AppPermission | undefined {
  if (path === "/restapi/oauth/wstoken") return "WebSocketsSubscriptions";
  if (!path.startsWith("/restapi/v1.0/")) return undefined;
  if (path.endsWith("/sip-info") || path.endsWith("/client-info/sip-provision")) return "VoipCalling";
  if (path.includes("/telephony/sessions")) return "CallControl";
  if (path.includes("/call-log")) return "ReadCallLog";
  if (path.includes("/device")) return "ReadAccounts";
  return undefined;
}
