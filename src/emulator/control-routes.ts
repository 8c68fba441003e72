import type { FastifyInstance } from "fastify";
import type { SimulatedCall } from "./ringcentral-emulator.js";

/**
 * Control routes for local development (outside `/restapi`, so no auth and no rate limit):
 *   POST /_emulator/calls                      {"sipCallId","from","to"} -> starts a call (Setup)
 *   POST /_emulator/calls/{sipCallId}/{step}   step = proceed | answer | hold | hangup
 *   POST /_emulator/websockets/drop            {"failRecovery": false}
 *   POST /_emulator/devices/{id}/status        {"status": "Online" | "Offline"}
 */
export interface EmulatorControls {
  simulateInboundCall(init: { sipCallId: string; from: string; to: string }): SimulatedCall;
  dropWebSockets(options: { failRecovery?: boolean }): void;
  setDeviceStatus(deviceId: string, status: "Online" | "Offline"): void;
}

export function registerControlRoutes(app: FastifyInstance, controls: EmulatorControls): void {
  const calls = new Map<string, SimulatedCall>();
  app.post<{ Body: { sipCallId?: unknown; from?: unknown; to?: unknown } | undefined }>(
    "/_emulator/calls",
    async (request, reply) => {
      const { sipCallId, from, to } = request.body ?? {};
      if (typeof sipCallId !== "string" || typeof from !== "string" || typeof to !== "string") {
        return reply.code(400).send({ error: "sipCallId, from and to are required" });
      }
      const call = controls.simulateInboundCall({ sipCallId, from, to });
      calls.set(sipCallId, call);
      return reply.send({ telephonySessionId: call.telephonySessionId, partyId: call.partyId });
    },
  );
  app.post<{ Params: { id: string; step: string } }>("/_emulator/calls/:id/:step", async (request, reply) => {
    const call = calls.get(request.params.id);
    if (call === undefined) return reply.code(404).send({ error: "unknown sipCallId" });
    const steps: Record<string, () => void> = {
      proceed: call.proceed,
      answer: call.answer,
      hold: call.hold,
      hangup: call.hangUp,
    };
    const step = steps[request.params.step];
    if (step === undefined) return reply.code(400).send({ error: "step is proceed|answer|hold|hangup" });
    step();
    return reply.code(204).send();
  });
  app.post<{ Body: { failRecovery?: unknown } | undefined }>(
    "/_emulator/websockets/drop",
    async (request, reply) => {
      controls.dropWebSockets({ failRecovery: request.body?.failRecovery === true });
      return reply.code(204).send();
    },
  );
  app.post<{ Params: { id: string }; Body: { status?: unknown } | undefined }>(
    "/_emulator/devices/:id/status",
    async (request, reply) => {
      const status = request.body?.status;
      if (status !== "Online" && status !== "Offline")
        return reply.code(400).send({ error: "Online|Offline" });
      controls.setDeviceStatus(request.params.id, status);
      return reply.code(204).send();
    },
  );
}
