import type { SendOptions, SipAddress } from "../transport/transport-types.js";
import type { TransactionContext } from "./transaction-types.js";

/**
 * Hands bytes to the transport without awaiting; the outcome is delivered to `onSent`/`onError`
 * (errors are never left floating).
 */
export function transmit(
  ctx: TransactionContext,
  data: Buffer,
  destination: SipAddress,
  flowId: string | undefined,
  onError: (error: unknown) => void,
  onSent?: (flowId: string) => void,
): void {
  const options: SendOptions | undefined = flowId === undefined ? undefined : { flowId };
  let pending: Promise<unknown>;
  try {
    pending = ctx.sender.send(data, destination, options).then((result) => onSent?.(result.flowId));
  } catch (error) {
    onError(error);
    return;
  }
  pending.catch(onError);
}
