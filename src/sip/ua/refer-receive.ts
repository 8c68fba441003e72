import { newId } from "../../shared/index.js";
import { parseNameAddr } from "../message/name-addr.js";
import type { SipRequest } from "../message/sip-message.js";
import { formatUri } from "../message/sip-uri.js";
import type { ServerTransaction } from "../transaction/transaction-layer.js";
import type { SipSession } from "./sip-session.js";
import { sipfragBody } from "./sipfrag.js";
import type { IncomingRefer } from "./ua-types.js";

/**
 * A REFER in the dialog (RFC 3515 2.4.2): answered 202 and surfaced as `refer`; the first NOTIFY
 * ("SIP/2.0 100 Trying") goes out at once (2.4.4: the REFER-Recipient MUST send a NOTIFY), later ones
 * through `notify(status)`. Without a `refer` listener the REFER is declined (603).
 */
export function receiveRefer(session: SipSession, request: SipRequest, tx: ServerTransaction): void {
  const referToText = request.headers.get("Refer-To");
  const referTo = referToText === undefined ? undefined : parseNameAddr(referToText);
  if (referTo === undefined || request.headers.count("Refer-To") !== 1) {
    tx.respond(session.response(request, 400, undefined, []));
    return;
  }
  if (session.listenerCount("refer") === 0) {
    tx.respond(session.response(request, 603));
    return;
  }
  tx.respond(session.response(request, 202));
  const subscriptionId = newId();
  let terminated = false;
  const notify = (status: number, reason?: string): void => {
    if (terminated || session.state === "ended") return;
    terminated = status >= 200;
    const state = terminated ? "terminated;reason=noresource" : "active;expires=60";
    void session
      .sendInDialog(
        "NOTIFY",
        { contentType: "message/sipfrag;version=2.0", body: sipfragBody(status, reason) },
        [
          ["Event", "refer"],
          ["Subscription-State", state],
        ],
      )
      .catch((error: unknown) =>
        session.core.log.debug({ err: error, subscriptionId }, "refer NOTIFY failed"),
      );
  };
  notify(100);
  const referredBy = request.headers.get("Referred-By");
  const refer: IncomingRefer = {
    target: formatUri(referTo.uri),
    referredBy: referredBy === undefined ? undefined : referredBy,
    notify,
  };
  session.emit("refer", refer);
}
