/**
 * Sends a session's RTP datagrams. node's dgram send() costs a send request, an async-hooks scope
 * and a libuv write per packet: at 300 calls that was a sixth of the process's CPU. With the native
 * media addon, a packet is one non-blocking sendto() on the dgram socket's own descriptor (node
 * still owns, binds, receives on and closes the socket); without it, dgram send() as before.
 *
 * A native send copies the bytes before it returns, so the caller may reuse its buffer at once. A
 * full socket buffer (EAGAIN) drops the packet, the right thing for live audio (a late packet is
 * useless); the result says so and the session counts it as a send error.
 */
import type { Socket } from "node:dgram";
import { builtMediaAddon, type MediaAddon, mediaAddon } from "../native/media-addon.js";
import type { MediaEndpoint } from "./media-session-types.js";

export interface DatagramSender {
  readonly engine: "native" | "dgram";
  /** Bytes handed to the kernel, or a negative errno (the packet was not sent). */
  send(data: Uint8Array, offset: number, length: number, target: MediaEndpoint): number;
}

/** -EBADF: the socket is closed. */
const closedSocket = -9;

interface DgramHandleState {
  handle: { fd?: unknown } | null;
}

/**
 * The dgram socket's internal state (where node keeps its UDP handle and descriptor). Reached by
 * its symbol rather than the deprecated `_handle` getter, which would print DEP0112 once; the
 * layout is node's own, so anything unexpected means "use dgram send()".
 */
function handleState(socket: Socket): DgramHandleState | undefined {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  if (symbol === undefined) return undefined;
  const state: unknown = (socket as unknown as Record<symbol, unknown>)[symbol];
  if (typeof state !== "object" || state === null || !("handle" in state)) return undefined;
  const fd = (state as DgramHandleState).handle?.fd;
  return typeof fd === "number" && fd >= 0 ? (state as DgramHandleState) : undefined;
}

class NativeDatagramSender implements DatagramSender {
  readonly engine = "native";
  readonly #addon: MediaAddon;
  readonly #state: DgramHandleState;
  readonly #fallback: DgramSender;
  #target: MediaEndpoint | undefined;
  #targetAddress = "";
  #targetPort = -1;
  #sockaddr: Uint8Array | null = null;

  constructor(addon: MediaAddon, state: DgramHandleState, socket: Socket) {
    this.#addon = addon;
    this.#state = state;
    this.#fallback = new DgramSender(socket);
  }

  send(data: Uint8Array, offset: number, length: number, target: MediaEndpoint): number {
    // A closed socket has no handle: never sendto() a descriptor number the OS may have reused.
    const fd = this.#state.handle?.fd;
    if (typeof fd !== "number") return closedSocket;
    if (
      target !== this.#target ||
      target.address !== this.#targetAddress ||
      target.port !== this.#targetPort
    ) {
      this.#target = target;
      this.#targetAddress = target.address;
      this.#targetPort = target.port;
      this.#sockaddr = this.#addon.sockaddr(target.address, target.port);
    }
    // Not an IP literal (a host name in SDP): dgram resolves it.
    if (this.#sockaddr === null) return this.#fallback.send(data, offset, length, target);
    return this.#addon.sendTo(fd, data, offset, length, this.#sockaddr);
  }
}

class DgramSender implements DatagramSender {
  readonly engine = "dgram";
  constructor(readonly socket: Socket) {}

  send(data: Uint8Array, offset: number, length: number, target: MediaEndpoint): number {
    try {
      this.socket.send(data, offset, length, target.port, target.address);
      return length;
    } catch {
      return closedSocket;
    }
  }
}

/**
 * The native sender when the addon is this process's engine and the socket is bound, else dgram
 * send(). `engine` asks for one by name (tests, comparisons); "native" still needs a built addon.
 */
export function createDatagramSender(socket: Socket, engine?: DatagramSender["engine"]): DatagramSender {
  const addon = engine === undefined ? mediaAddon() : engine === "native" ? builtMediaAddon() : undefined;
  const state = addon === undefined ? undefined : handleState(socket);
  if (addon === undefined || state === undefined) return new DgramSender(socket);
  return new NativeDatagramSender(addon, state, socket);
}
