export { type InviteClientState, InviteClientTransaction } from "./invite-client.js";
export {
  type InviteServerState,
  InviteServerTransaction,
  type ServerTransactionOptions,
} from "./invite-server.js";
export { type NonInviteClientState, NonInviteClientTransaction } from "./non-invite-client.js";
export { type NonInviteServerState, NonInviteServerTransaction } from "./non-invite-server.js";
export { clientKeyForRequest, clientKeyForResponse, serverKey } from "./transaction-keys.js";
export {
  type ClientTransaction,
  responseDestination,
  type ServerTransaction,
  stampVia,
  TransactionLayer,
  type TransactionLayerCounters,
  type TransactionLayerOptions,
  type TransactionUser,
} from "./transaction-layer.js";
export { FakeSender, type SentRecord } from "./transaction-testing.js";
export * from "./transaction-types.js";
export { startTwoXxRetransmission, type TwoXxRetransmitter } from "./two-xx-retransmitter.js";
