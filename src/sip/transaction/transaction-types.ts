import type { Clock, Logger } from "../../shared/index.js";
import type { SipResponse } from "../message/sip-message.js";
import type { SendOptions, SendResult, SipAddress } from "../transport/transport-types.js";

/** What the transaction layer needs from the transports (an in-memory fake in tests). */
export interface MessageSender {
  send(data: Buffer, destination: SipAddress, options?: SendOptions): Promise<SendResult>;
}

/** RFC 3261 17.1.1.1 / table 4 timer bases. */
export interface TransactionTimers {
  /** RTT estimate, default 500 ms. */
  readonly t1Ms: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4000 ms. */
  readonly t2Ms: number;
  /** Maximum duration a message remains in the network, default 5000 ms. */
  readonly t4Ms: number;
}

export const defaultTransactionTimers = {
  t1Ms: 500,
  t2Ms: 4000,
  t4Ms: 5000,
} as const satisfies TransactionTimers;

/** RFC 3261 17.2.1: send 100 Trying unless the TU answers within 200 ms. */
export const defaultTrying100DelayMs = 200;

/** Shared by every transaction: injected time, the sender, and how to report termination. */
export interface TransactionContext {
  readonly clock: Clock;
  readonly sender: MessageSender;
  readonly timers: TransactionTimers;
  readonly logger: Logger;
  /** Called exactly once when a transaction reaches Terminated, so the layer forgets it. */
  readonly onTerminated: (key: string) => void;
}

/**
 * A client transaction that could not complete: Timer B/F fired (RFC 3261 8.1.3.1: treat as 408) or
 * the transport failed (17.1.4: treat as 503). `response` is that locally built 408/503.
 */
export interface ClientTransactionFailure {
  readonly reason: "timeout" | "transport";
  readonly response: SipResponse;
  readonly error?: unknown;
}

/** The transaction user (dialog/usage) of one client transaction. */
export interface ClientTransactionUser {
  /** Every response the TU must see (1xx, the final, and in Accepted the 2xx retransmissions). */
  onResponse(response: SipResponse): void;
  onFailure(failure: ClientTransactionFailure): void;
}

export interface ServerTransactionFailure {
  /** "timeout": Timer H fired, no ACK for our non-2xx final (RFC 3261 17.2.1). */
  readonly reason: "timeout" | "transport";
  readonly error?: unknown;
}

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/**
 * The checked transition: returns the new state, or the old one (logging) when the table forbids it.
 * Never throws: a forbidden transition is a bug we log, not a crash of the signalling process.
 */
export function checkedTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
  logger: Logger,
  kind: string,
): S {
  if (table[from].includes(to)) return to;
  logger.error({ kind, from, to }, "forbidden transaction state transition");
  return from;
}
