/** The JSON API under /api/v1: calls (list/search, live, one), transcript, recording, live control. */
import type { FastifyInstance } from "fastify";
import type { Logger } from "../shared/index.js";
import type { CallDetail, CallStore } from "../store/index.js";
import { parseCallListQuery, parseMessageListQuery, parseTransferBody } from "./call-query-params.js";
import { HttpError } from "./http-error.js";
import type { LiveCallActionResult, LiveCallController } from "./http-types.js";
import { containedPath, sendRecording } from "./recording-route.js";
import { formatTranscript } from "./transcript-format.js";

export interface CallRoutesOptions {
  store: CallStore;
  calls: LiveCallController;
  /** Folder whose files may be served as recordings; without it recordings are not served. */
  recordingsDir: string | undefined;
  logger: Logger;
}

interface IdParams {
  Params: { id: string };
}

async function callOr404(store: CallStore, id: string): Promise<CallDetail> {
  const detail = await store.getCall(id);
  if (detail === undefined) throw HttpError.notFound("no call with this id", "call_not_found");
  return detail;
}

function actionResult(
  result: LiveCallActionResult,
  callId: string,
  action: string,
): { callId: string; action: string } {
  if (result.ok) return { callId, action };
  if (result.reason === "not_live")
    throw HttpError.notFound("the call is not live in this process", "call_not_live");
  throw HttpError.conflict(`the call cannot ${action} while ${result.state}`, "call_wrong_state");
}

export function registerCallRoutes(app: FastifyInstance, options: CallRoutesOptions): void {
  const { store, calls } = options;

  app.get("/api/v1/calls", async (request) => store.listCalls(parseCallListQuery(request.query)));

  app.get("/api/v1/calls/live", async () => ({ calls: await store.liveCalls() }));

  app.get<IdParams>("/api/v1/calls/:id", async (request) => callOr404(store, request.params.id));

  app.get<IdParams>("/api/v1/calls/:id/transcript", async (request, reply) => {
    const detail = await callOr404(store, request.params.id);
    return reply.type("text/plain; charset=utf-8").send(formatTranscript(detail));
  });

  app.get<IdParams>("/api/v1/calls/:id/recording", async (request, reply) => {
    const { call } = await callOr404(store, request.params.id);
    if (call.recordingPath === null)
      throw HttpError.notFound("this call has no recording", "recording_not_found");
    const path =
      options.recordingsDir === undefined
        ? undefined
        : containedPath(options.recordingsDir, call.recordingPath);
    if (path === undefined) {
      options.logger.warn({ callId: call.id }, "recording path outside the recordings folder; not served");
      throw HttpError.notFound("this call has no recording", "recording_not_found");
    }
    return sendRecording(reply, path, `${call.id}.wav`, request.headers.range);
  });

  app.post<IdParams>("/api/v1/calls/:id/hangup", async (request, reply) => {
    const id = request.params.id;
    const body = actionResult(await calls.hangUp(id), id, "hangup");
    return reply.code(202).send(body);
  });

  app.post<IdParams>("/api/v1/calls/:id/transfer", async (request, reply) => {
    const id = request.params.id;
    const { target } = parseTransferBody(request.body);
    const body = actionResult(await calls.transfer(id, target), id, "transfer");
    return reply.code(202).send(body);
  });

  app.get("/api/v1/messages", async (request) => ({
    messages: await store.listMessages(parseMessageListQuery(request.query)),
  }));
}
