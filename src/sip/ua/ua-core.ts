import type { Clock, Logger } from "../../shared/index.js";
import type { DigestClient } from "../auth/digest-client.js";
import type { Dialog } from "../dialog/dialog.js";
import type { DialogTable } from "../dialog/dialog-table.js";
import type { NameAddr } from "../message/name-addr.js";
import type { Via } from "../message/via-header.js";
import type { TransactionLayer } from "../transaction/transaction-layer.js";
import type { InboundMessage } from "../transport/transport-types.js";
import type { SipSession } from "./sip-session.js";
import type { RequestTarget } from "./ua-addressing.js";
import type { UaCounters } from "./ua-types.js";

/** What the usages (sessions, INVITE/REFER operations) need from their user agent. */
export interface UaCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly transactions: TransactionLayer;
  readonly dialogs: DialogTable<SipSession>;
  readonly digest: DigestClient | undefined;
  readonly counters: UaCounters;
  /** Extra headers on every request/response we originate (User-Agent). */
  readonly commonHeaders: readonly (readonly [string, string])[];
  /** Our identity (AOR with display name) for From of new requests. */
  readonly localIdentity: NameAddr;
  /** Target of an out-of-dialog request to `uri` (the line's proxy when there is one). */
  outOfDialogTarget(uri: NameAddr["uri"]): RequestTarget | undefined;
  /** Target of an in-dialog request (RFC 3261 12.2.1.1), reusing `flowId` when open. */
  inDialogTarget(dialog: Dialog, flowId: string | undefined): RequestTarget | undefined;
  via(target: RequestTarget): Via;
  contact(target: RequestTarget): NameAddr;
  contactForInbound(inbound: InboundMessage): NameAddr;
  sessionEnded(session: SipSession): void;
}
