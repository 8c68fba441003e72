import { randomToken } from "../../shared/index.js";
import type { DigestServer } from "../auth/digest-server.js";
import { Dialog, initialCSeq } from "../dialog/dialog.js";
import { createResponse } from "../message/message-builders.js";
import type { SipRequest } from "../message/sip-message.js";
import type { InviteServerTransaction } from "../transaction/invite-server.js";
import type { ServerTransaction } from "../transaction/transaction-layer.js";
import type { InboundMessage } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";
import { bodyOf } from "./request-sender.js";
import { SipSession } from "./sip-session.js";
import type { UaCore } from "./ua-core.js";

/** Option tags (RFC 3261 8.2.2.3) this user agent understands in a Require header. */
export const supportedOptionTags: ReadonlySet<string> = new Set(["timer"]);

export interface InviteAcceptOptions {
  readonly autoRinging: boolean;
  readonly challenge?: {
    readonly server: DigestServer;
    readonly passwordOf: (username: string) => string | undefined;
  };
}

/**
 * A new INVITE outside any dialog (RFC 3261 13.3): optional digest challenge (trunk mode, 22.1),
 * Require check (8.2.2.3), then a UAS dialog in the early state and a session in "incoming" (180
 * Ringing sent unless disabled). Returns undefined when the INVITE was answered with a failure.
 */
export function acceptInvite(
  core: UaCore,
  request: SipRequest,
  tx: InviteServerTransaction,
  inbound: InboundMessage,
  options: InviteAcceptOptions,
): SipSession | undefined {
  const extra = core.commonHeaders;
  const challenge = options.challenge;
  if (challenge !== undefined) {
    const verdict = challenge.server.verify(request, challenge.passwordOf);
    if (!verdict.ok) {
      if (verdict.reason === "wrong-response" || verdict.reason === "unknown-user") {
        tx.respond(createResponse(request, 403, { toTag: randomToken(6), headers: extra }));
        return undefined;
      }
      core.counters.challengedInvites++;
      // RFC 3261 22.1 / RFC 7616 3.3: 401 with WWW-Authenticate; stale=true when only the nonce expired.
      const value = challenge.server.challenge({ stale: verdict.reason === "stale" });
      tx.respond(
        createResponse(request, 401, {
          toTag: randomToken(6),
          headers: [["WWW-Authenticate", value], ...extra],
        }),
      );
      return undefined;
    }
  }
  const required = request.headers.getAll("Require").flatMap((v) => v.split(",").map((t) => t.trim()));
  // RFC 4028: session timers are understood (the user of the session answers them).
  const unsupported = required.filter((t) => t.length > 0 && !supportedOptionTags.has(t.toLowerCase()));
  if (unsupported.length > 0) {
    // RFC 3261 8.2.2.3: "the UAS MUST respond by generating a response with status code 420 (Bad
    // Extension) ... [listing] those options it does not understand amongst those specified in the
    // Require header field".
    tx.respond(
      createResponse(request, 420, {
        toTag: randomToken(6),
        headers: [["Unsupported", unsupported.join(", ")], ...extra],
      }),
    );
    return undefined;
  }
  const dialog = Dialog.asUas(request, randomToken(6), initialCSeq());
  if (dialog === undefined) {
    tx.respond(createResponse(request, 400, { reason: "Missing Contact or From Tag", headers: extra }));
    return undefined;
  }
  const offer = bodyOf(request);
  const session = new SipSession({
    core,
    direction: "inbound",
    dialog,
    flowId: inbound.flowId,
    request,
    inviteTx: tx,
    inbound,
    ...(offer === undefined ? {} : { remoteBody: offer }),
    reliable: isReliable(inbound.source.protocol),
  });
  core.dialogs.add(dialog, session);
  if (options.autoRinging) session.progress(180);
  return session;
}

/**
 * RFC 3261 9.2: a CANCEL matching a pending INVITE is answered 200 and the INVITE 487; "If the UAS
 * did not find a matching transaction for the CANCEL ... it SHOULD respond to the CANCEL with a 481".
 */
export function receiveCancel(core: UaCore, cancel: SipRequest, tx: ServerTransaction): void {
  const invite = core.transactions.findCancelledInvite(cancel);
  if (invite === undefined) {
    tx.respond(createResponse(cancel, 481, { headers: core.commonHeaders }));
    return;
  }
  const session = core.dialogs.usages().find((s) => s.isInviteTransaction(invite));
  tx.respond(
    createResponse(cancel, 200, {
      ...(session === undefined ? {} : { toTag: session.dialog.id.localTag }),
      headers: core.commonHeaders,
    }),
  );
  session?.cancelled();
}
