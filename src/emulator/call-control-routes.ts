import type { FastifyInstance } from "fastify";
import type { EmulatedParty, EmulatedSession, PartyStatusCode } from "./emulator-types.js";
import { sendError } from "./oauth-routes.js";
import { errors } from "./rc-error-body.js";
import type { TelephonyState } from "./telephony-state.js";

/**
 * Call Control (ringcentral.md 5) under `/restapi/v1.0/account/{acc}/telephony/sessions/{sid}`:
 * session/party status, drop (204), answer/reject, forward (unanswered only), transfer
 * (Answered/Hold only), start (201) and pause/resume recording. A party in the wrong state gets
 * 409 TAS-102; an unknown session, party or recording gets 404 CMN-102.
 */
const ringing: readonly PartyStatusCode[] = ["Setup", "Proceeding"];
const connected: readonly PartyStatusCode[] = ["Answered", "Hold"];

type Params = { sid: string; pid?: string; rid?: string };

function bodyOf(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
}

/** Exactly one of the allowed target keys, as a non-empty string. */
function targetOf(body: unknown, keys: readonly string[]): { key: string; value: string } | undefined {
  const fields = bodyOf(body);
  const present = keys.filter((k) => typeof fields[k] === "string" && (fields[k] as string).length > 0);
  if (present.length !== 1) return undefined;
  const key = present[0] ?? "";
  return { key, value: fields[key] as string };
}

export function registerCallControlRoutes(app: FastifyInstance, telephony: TelephonyState): void {
  const base = "/restapi/v1.0/account/:acc/telephony/sessions/:sid";

  const lookup = (
    params: Params,
  ): { session: EmulatedSession; party: EmulatedParty | undefined } | "session" | "party" => {
    const session = telephony.sessions.get(params.sid);
    if (session === undefined) return "session";
    if (params.pid === undefined) return { session, party: undefined };
    const party = session.parties.find((p) => p.id === params.pid);
    return party === undefined ? "party" : { session, party };
  };

  const withParty = (
    params: Params,
    allowed: readonly PartyStatusCode[] | undefined,
  ): { session: EmulatedSession; party: EmulatedParty } | ReturnType<typeof errors.notFound> => {
    const found = lookup(params);
    if (found === "session") return errors.notFound("telephonySessionId");
    if (found === "party" || found.party === undefined) return errors.notFound("partyId");
    if (allowed !== undefined && !allowed.includes(found.party.status.code)) return errors.incorrectState();
    return { session: found.session, party: found.party };
  };

  app.get<{ Params: Params }>(base, async (request, reply) => {
    const found = lookup(request.params);
    if (typeof found === "string") return sendError(reply, errors.notFound("telephonySessionId"));
    return reply.send(telephony.sessionJson(found.session));
  });

  app.delete<{ Params: Params }>(base, async (request, reply) => {
    const found = lookup(request.params);
    if (typeof found === "string") return sendError(reply, errors.notFound("telephonySessionId"));
    telephony.endSession(found.session, "CallDropped");
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>(`${base}/parties/:pid`, async (request, reply) => {
    const found = withParty(request.params, undefined);
    if ("status" in found) return sendError(reply, found);
    return reply.send(telephony.partyJson(found.party, false));
  });

  app.post<{ Params: Params }>(`${base}/parties/:pid/answer`, async (request, reply) => {
    const found = withParty(request.params, ringing);
    if ("status" in found) return sendError(reply, found);
    if (typeof bodyOf(request.body).deviceId !== "string")
      return sendError(reply, errors.invalidParameter("deviceId"));
    telephony.setStatus(found.session, found.party, { code: "Answered" });
    return reply.send(telephony.partyJson(found.party, false));
  });

  app.post<{ Params: Params }>(`${base}/parties/:pid/reject`, async (request, reply) => {
    const found = withParty(request.params, ringing);
    if ("status" in found) return sendError(reply, found);
    telephony.setStatus(found.session, found.party, { code: "Disconnected", reason: "Rejected" });
    return reply.code(204).send();
  });

  app.post<{ Params: Params }>(`${base}/parties/:pid/forward`, async (request, reply) => {
    const found = withParty(request.params, ringing);
    if ("status" in found) return sendError(reply, found);
    const target = targetOf(request.body, ["phoneNumber", "voicemail", "extensionNumber", "extensionId"]);
    if (target === undefined) return sendError(reply, errors.invalidParameter("phoneNumber"));
    found.session.result = target.key === "voicemail" ? "Voicemail" : "Accepted";
    const json = telephony.partyJson(found.party, false);
    telephony.setStatus(found.session, found.party, { code: "Disconnected", reason: "CallRedirected" });
    return reply.send({ ...json, status: { code: "Disconnected", reason: "CallRedirected", rcc: false } });
  });

  app.post<{ Params: Params }>(`${base}/parties/:pid/transfer`, async (request, reply) => {
    const found = withParty(request.params, connected);
    if ("status" in found) return sendError(reply, found);
    const target = targetOf(request.body, [
      "phoneNumber",
      "voicemail",
      "extensionNumber",
      "parkOrbit",
      "extensionId",
    ]);
    if (target === undefined) return sendError(reply, errors.invalidParameter("phoneNumber"));
    telephony.setStatus(found.session, found.party, { code: "Disconnected", reason: "BlindTransfer" });
    return reply.send(telephony.partyJson(found.party, false));
  });

  app.post<{ Params: Params }>(`${base}/parties/:pid/recordings`, async (request, reply) => {
    const found = withParty(request.params, connected);
    if ("status" in found) return sendError(reply, found);
    const recording = telephony.startRecording(found.party);
    return reply.code(201).send({ id: recording.id, active: true, mode: "OnDemand", view: "Party" });
  });

  app.patch<{ Params: Params }>(`${base}/parties/:pid/recordings/:rid`, async (request, reply) => {
    const found = withParty(request.params, connected);
    if ("status" in found) return sendError(reply, found);
    const recording = found.party.recordings.find((r) => r.id === request.params.rid);
    if (recording === undefined) return sendError(reply, errors.notFound("recordingId"));
    const active = bodyOf(request.body).active;
    if (typeof active !== "boolean") return sendError(reply, errors.invalidParameter("active"));
    recording.active = active;
    return reply.send({ id: recording.id, active, mode: "OnDemand", view: "Party" });
  });
}
