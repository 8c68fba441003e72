import type { Clock, Logger } from "../../shared/index.js";
import { RingagentError, silentLogger, systemClock } from "../../shared/index.js";
import { getTopVia } from "../message/message-accessors.js";
import { createResponse } from "../message/message-builders.js";
import { parseMessage } from "../message/message-parser.js";
import { serializeMessage } from "../message/message-serializer.js";
import { validateRequest, validateResponse } from "../message/message-validate.js";
import type { SipMessage, SipRequest, SipResponse } from "../message/sip-message.js";
import { formatVia, getViaRport, withViaParam } from "../message/via-header.js";
import type { InboundMessage, SendOptions, SendResult, SipAddress } from "../transport/transport-types.js";
import { isReliable } from "../transport/transport-types.js";
import { InviteClientTransaction } from "./invite-client.js";
import { InviteServerTransaction } from "./invite-server.js";
import { NonInviteClientTransaction } from "./non-invite-client.js";
import { NonInviteServerTransaction } from "./non-invite-server.js";
import { clientKeyForRequest, clientKeyForResponse, serverKey } from "./transaction-keys.js";
import type {
  ClientTransactionUser,
  MessageSender,
  ServerTransactionFailure,
  TransactionContext,
  TransactionTimers,
} from "./transaction-types.js";
import { defaultTransactionTimers, defaultTrying100DelayMs } from "./transaction-types.js";

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** The transaction user (UA core): receives new requests and server transaction failures. */
export interface TransactionUser {
  /**
   * A new request (never a retransmission). `transaction` is the server transaction to answer
   * through; it is undefined only for an ACK that matches no INVITE transaction (the ACK for a 2xx,
   * RFC 3261 17.2.3, which belongs to the dialog).
   */
  onRequest(request: SipRequest, transaction: ServerTransaction | undefined, inbound: InboundMessage): void;
  /** Timer H fired or a response could not be sent. */
  onServerTransactionFailure?(transaction: ServerTransaction, failure: ServerTransactionFailure): void;
}

export interface TransactionLayerOptions {
  readonly sender: MessageSender;
  readonly tu: TransactionUser;
  readonly clock?: Clock;
  readonly timers?: Partial<TransactionTimers>;
  readonly logger?: Logger;
  /** Delay before the automatic 100 Trying to an INVITE; 0 sends it at once. Default 200 ms. */
  readonly trying100DelayMs?: number;
}

export interface TransactionLayerCounters {
  /** Responses that matched no client transaction (dropped). */
  strayResponses: number;
  /** Request retransmissions absorbed by a server transaction. */
  absorbedRetransmissions: number;
  /** Inbound bytes that did not parse (dropped). */
  unparsable: number;
  /** Requests answered 400 by validation; responses dropped by validation. */
  invalidRequests: number;
  invalidResponses: number;
  /** Exceptions caught at the layer boundary (a bug if ever non-zero; the fuzz test asserts 0). */
  internalErrors: number;
}

/**
 * RFC 3261 17 transaction layer: matches inbound messages to transactions, absorbs retransmissions,
 * stamps Via received/rport (RFC 3261 18.2.1, RFC 3581), and creates client transactions for the TU.
 */
export class TransactionLayer {
  readonly counters: TransactionLayerCounters = {
    strayResponses: 0,
    absorbedRetransmissions: 0,
    unparsable: 0,
    invalidRequests: 0,
    invalidResponses: 0,
    internalErrors: 0,
  };
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #ctxClient: TransactionContext;
  readonly #ctxServer: TransactionContext;
  readonly #tu: TransactionUser;
  readonly #sender: MessageSender;
  readonly #logger: Logger;
  readonly #trying100DelayMs: number;
  readonly timers: TransactionTimers;

  constructor(options: TransactionLayerOptions) {
    this.timers = { ...defaultTransactionTimers, ...options.timers };
    this.#tu = options.tu;
    this.#sender = options.sender;
    this.#logger = options.logger ?? silentLogger();
    this.#trying100DelayMs = options.trying100DelayMs ?? defaultTrying100DelayMs;
    const base = {
      clock: options.clock ?? systemClock,
      sender: options.sender,
      timers: this.timers,
      logger: this.#logger,
    };
    this.#ctxClient = { ...base, onTerminated: (key) => this.#clients.delete(key) };
    this.#ctxServer = { ...base, onTerminated: (key) => this.#servers.delete(key) };
  }

  get clientTransactionCount(): number {
    return this.#clients.size;
  }

  get serverTransactionCount(): number {
    return this.#servers.size;
  }

  /**
   * Parses and validates bytes from a transport, then {@link receive}s them. Requests that fail
   * validation are answered 400 with the reason (RFC 3261 8.2, 21.4.1) when a response is possible.
   * Never throws.
   */
  receiveBytes(inbound: InboundMessage): void {
    const parsed = parseMessage(inbound.data, { requireContentLength: isReliable(inbound.source.protocol) });
    if (!parsed.ok) {
      this.counters.unparsable++;
      this.#logger.debug({ reason: parsed.error.reason }, "dropped unparsable SIP message");
      return;
    }
    this.receive(parsed.message, inbound);
  }

  /** Handles one parsed message. Never throws. */
  receive(message: SipMessage, inbound: InboundMessage): void {
    try {
      if (message.kind === "response") this.#receiveResponse(message);
      else this.#receiveRequest(message, inbound);
    } catch (error) {
      this.counters.internalErrors++;
      this.#logger.error({ err: error }, "transaction layer failed on an inbound message");
    }
  }

  #receiveResponse(response: SipResponse): void {
    if (!validateResponse(response).ok) {
      this.counters.invalidResponses++;
      return;
    }
    const key = clientKeyForResponse(response);
    const tx = key === undefined ? undefined : this.#clients.get(key);
    if (tx === undefined) {
      // RFC 3261 18.1.2: responses matching no transaction are passed to the core only by a proxy; a UA drops them.
      this.counters.strayResponses++;
      return;
    }
    tx.receiveResponse(response);
  }

  #receiveRequest(request: SipRequest, inbound: InboundMessage): void {
    const validation = validateRequest(request);
    if (!validation.ok) {
      this.counters.invalidRequests++;
      if (request.method !== "ACK" && getTopVia(request) !== undefined) {
        const bad = createResponse(request, validation.status, { reason: validation.reason });
        // sendStateless never rejects (failures are logged inside), so nothing is left floating.
        void this.sendStateless(bad, responseDestination(request, inbound), { flowId: inbound.flowId });
      }
      return;
    }
    stampVia(request, inbound);
    const key = serverKey(request);
    if (key === undefined) return;
    const existing = this.#servers.get(key);
    if (existing !== undefined) {
      if (request.method === "ACK" && existing.kind === "invite-server") {
        // RFC 3261 17.2.3: the ACK for a non-2xx final matches the INVITE transaction and is absorbed by it.
        if (existing.state === "completed" || existing.state === "confirmed") {
          existing.receiveRequest(request);
          return;
        }
        // An ACK matching an Accepted INVITE transaction is the ACK for our 2xx: it goes to the TU.
        this.#tu.onRequest(request, undefined, inbound);
        return;
      }
      this.counters.absorbedRetransmissions++;
      existing.receiveRequest(request);
      return;
    }
    if (request.method === "ACK") {
      // RFC 3261 17.2.3 / 13.3.1.4: an ACK matching no transaction is the ACK for a 2xx; the dialog handles it.
      this.#tu.onRequest(request, undefined, inbound);
      return;
    }
    const options = {
      responseDestination: responseDestination(request, inbound),
      flowId: inbound.flowId,
      onFailure: (failure: ServerTransactionFailure) => {
        const tx = created;
        this.#tu.onServerTransactionFailure?.(tx, failure);
      },
    };
    const created: ServerTransaction =
      request.method === "INVITE"
        ? new InviteServerTransaction(this.#ctxServer, key, request, options)
        : new NonInviteServerTransaction(this.#ctxServer, key, request, options);
    this.#servers.set(key, created);
    if (created.kind === "invite-server") created.start(this.#trying100DelayMs);
    this.#tu.onRequest(request, created, inbound);
  }

  /**
   * Starts a client transaction for `request` (INVITE or non-INVITE; not ACK) towards `destination`.
   * The request must carry our Via with a fresh z9hG4bK branch. Throws RingagentError
   * `sip_ack_not_transactional` for an ACK (a programming error; use sendStateless).
   */
  sendRequest(
    request: SipRequest,
    destination: SipAddress,
    user: ClientTransactionUser,
    options: { flowId?: string } = {},
  ): ClientTransaction {
    if (request.method === "ACK") {
      // RFC 3261 17: ACK never creates a client transaction (17.1.1.3 builds the non-2xx ACK; the 2xx ACK is sent by the dialog).
      throw new RingagentError("sip_ack_not_transactional", "send ACK with sendStateless, not sendRequest");
    }
    const key = clientKeyForRequest(request) ?? `nobranch|${this.#clients.size}|${request.method}`;
    const tx =
      request.method === "INVITE"
        ? new InviteClientTransaction(this.#ctxClient, key, request, destination, user, options.flowId)
        : new NonInviteClientTransaction(this.#ctxClient, key, request, destination, user, options.flowId);
    this.#clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Sends a message outside any transaction (the ACK for a 2xx, stateless 400s). Errors are logged. */
  sendStateless(
    message: SipMessage,
    destination: SipAddress,
    options?: SendOptions,
  ): Promise<SendResult | undefined> {
    let pending: Promise<SendResult>;
    try {
      pending = this.#sender.send(serializeMessage(message), destination, options);
    } catch (error) {
      this.#logger.warn({ err: error }, "stateless send failed");
      return Promise.resolve(undefined);
    }
    return pending.catch((error: unknown) => {
      this.#logger.warn({ err: error }, "stateless send failed");
      return undefined;
    });
  }

  /** RFC 3261 9.2: the INVITE server transaction a CANCEL cancels (same branch and sent-by), if any. */
  findCancelledInvite(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel, "INVITE");
    const tx = key === undefined ? undefined : this.#servers.get(key);
    return tx?.kind === "invite-server" ? tx : undefined;
  }

  /** Terminates every transaction (stops all timers). */
  close(): void {
    for (const tx of [...this.#clients.values()]) tx.terminate();
    for (const tx of [...this.#servers.values()]) tx.terminate();
  }
}

/**
 * RFC 3261 18.2.1: add `received` when the sent-by host differs from the packet source; RFC 3581 4:
 * when `rport` has no value, set it to the source port and always add `received`.
 */
export function stampVia(request: SipRequest, inbound: InboundMessage): void {
  const via = getTopVia(request);
  if (via === undefined) return;
  const rport = getViaRport(via);
  let next = via;
  if (rport === "") {
    next = withViaParam(next, "rport", String(inbound.source.port));
    next = withViaParam(next, "received", inbound.source.host);
  } else if (via.host.toLowerCase() !== inbound.source.host.toLowerCase()) {
    next = withViaParam(next, "received", inbound.source.host);
  }
  if (next !== via) request.headers.replaceFirst("Via", formatVia(next));
}

/**
 * Where a response goes (RFC 3261 18.2.2, RFC 3581 4): on reliable transports back over the same
 * connection (the flow) to the source; on UDP to the source address, at the rport if the client
 * asked for it, else at the sent-by port.
 */
export function responseDestination(request: SipRequest, inbound: InboundMessage): SipAddress {
  const source = inbound.source;
  if (isReliable(source.protocol)) return source;
  const via = getTopVia(request);
  if (via === undefined) return source;
  const rport = getViaRport(via);
  const port = rport !== undefined ? source.port : (via.port ?? 5060);
  return { protocol: source.protocol, host: source.host, port };
}
