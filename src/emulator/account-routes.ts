import type { FastifyInstance } from "fastify";
import type { EmulatedDevice } from "./emulator-types.js";
import { sendError } from "./oauth-routes.js";
import { errors } from "./rc-error-body.js";
import type { SubscriptionHub } from "./subscription-hub.js";
import type { TelephonyState } from "./telephony-state.js";

/**
 * Devices and their SIP credentials (ringcentral.md 2.2, 2.3), the call log (7), and HTTP
 * subscriptions with WebHook delivery (4.1). `~` stands for the token owner's account/extension.
 */
export interface AccountRouteOptions {
  readonly accountId: string;
  readonly extensionId: string;
  readonly devices: () => readonly EmulatedDevice[];
  readonly telephony: TelephonyState;
  readonly hub: SubscriptionHub;
  readonly now: () => number;
}

function paged(uri: string, records: readonly unknown[]): Record<string, unknown> {
  return {
    uri,
    records,
    navigation: { firstPage: { uri }, lastPage: { uri } },
    paging: {
      page: 1,
      totalPages: 1,
      perPage: 100,
      totalElements: records.length,
      pageStart: 0,
      pageEnd: Math.max(0, records.length - 1),
    },
  };
}

export function registerAccountRoutes(app: FastifyInstance, options: AccountRouteOptions): void {
  const { accountId, extensionId } = options;
  const deviceJson = (device: EmulatedDevice): Record<string, unknown> => ({
    id: device.id,
    uri: `/restapi/v1.0/account/${accountId}/device/${device.id}`,
    sku: device.type === "OtherPhone" ? "DV-1" : "DV-0",
    type: device.type,
    name: device.name,
    serial: device.type === "OtherPhone" ? "" : device.id,
    status: device.status,
    extension: {
      id: Number(extensionId),
      uri: `/restapi/v1.0/account/${accountId}/extension/${extensionId}`,
    },
    phoneLines: [],
    linePooling: "None",
  });
  const findDevice = (id: string): EmulatedDevice | undefined => options.devices().find((d) => d.id === id);

  app.get<{ Querystring: { type?: string | string[] } }>(
    "/restapi/v1.0/account/:acc/extension/:ext/device",
    async (request, reply) => {
      const type = request.query.type;
      const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
      const records = options.devices().filter((d) => types === undefined || types.includes(d.type));
      const uri = `/restapi/v1.0/account/${accountId}/extension/${extensionId}/device`;
      return reply.send(paged(uri, records.map(deviceJson)));
    },
  );

  app.get<{ Params: { id: string } }>("/restapi/v1.0/account/:acc/device/:id", async (request, reply) => {
    const device = findDevice(request.params.id);
    if (device === undefined) return sendError(reply, errors.notFound("deviceId"));
    return reply.send(deviceJson(device));
  });

  app.get<{ Params: { id: string } }>(
    "/restapi/v1.0/account/:acc/device/:id/sip-info",
    async (request, reply) => {
      const device = findDevice(request.params.id);
      if (device?.sipInfo === undefined) return sendError(reply, errors.notFound("deviceId"));
      return reply.send({
        ...device.sipInfo,
        outboundProxies: device.sipInfo.outboundProxies.map((p) => ({ ...p })),
      });
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    "/restapi/v1.0/account/:acc/extension/:ext/call-log",
    async (request, reply) => {
      const { telephonySessionId, sessionId } = request.query;
      const nowMs = options.now();
      const records = options.telephony.callLog
        .filter((entry) => entry.visibleAtMs <= nowMs)
        .map((entry) => entry.record)
        .filter((r) => telephonySessionId === undefined || r.telephonySessionId === telephonySessionId)
        .filter((r) => sessionId === undefined || r.sessionId === sessionId)
        .reverse();
      return reply.send(
        paged(`/restapi/v1.0/account/${accountId}/extension/${extensionId}/call-log`, records),
      );
    },
  );

  app.post("/restapi/v1.0/subscription", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const filters = options.hub.validateFilters(body.eventFilters);
    if (!Array.isArray(filters)) return sendError(reply, filters);
    const mode = (body.deliveryMode ?? {}) as Record<string, unknown>;
    if (mode.transportType !== "WebHook" || typeof mode.address !== "string") {
      return sendError(reply, errors.invalidParameter("deliveryMode"));
    }
    if (!(await options.hub.validateWebhook(mode.address))) return sendError(reply, errors.webhookInvalid());
    // Both spellings are in the wild (ringcentral.md 4.1): `verificationToken` (spec), `validationToken` (docs).
    const token = typeof mode.verificationToken === "string" ? mode.verificationToken : mode.validationToken;
    const expiresIn = typeof body.expiresIn === "number" ? body.expiresIn : 604_800;
    const subscription = options.hub.create(
      filters,
      {
        transportType: "WebHook",
        address: mode.address,
        verificationToken: typeof token === "string" ? token : undefined,
      },
      expiresIn,
    );
    return reply.send(options.hub.info(subscription));
  });

  app.get<{ Params: { id: string } }>("/restapi/v1.0/subscription/:id", async (request, reply) => {
    const subscription = options.hub.subscriptions.get(request.params.id);
    if (subscription === undefined) return sendError(reply, errors.subscriptionNotFound());
    return reply.send(options.hub.info(subscription));
  });

  app.delete<{ Params: { id: string } }>("/restapi/v1.0/subscription/:id", async (request, reply) => {
    if (!options.hub.delete(request.params.id)) return sendError(reply, errors.subscriptionNotFound());
    return reply.code(204).send();
  });
}
