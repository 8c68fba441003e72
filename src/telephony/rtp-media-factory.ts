/**
 * Opens real media sessions (src/media/session MediaSession: UDP RTP/SRTP) for calls, with RTP ports
 * from the configured range, and counts what is open (leak checks).
 */
import {
  MediaSession,
  type MediaSessionOptions,
  RtpPortAllocator,
  type RtpPortRange,
} from "../media/index.js";
import type { CallMediaFactory, CallMediaSession } from "./media-port.js";

export interface RtpMediaFactoryOptions {
  readonly portRange: RtpPortRange;
  /** Address the RTP sockets bind to (default "0.0.0.0"; tests use "127.0.0.1"). */
  readonly bindAddress?: string;
  /** Address written in our SDP c= line (default: bindAddress, which must then not be a wildcard). */
  readonly advertisedAddress?: string;
  readonly session?: MediaSessionOptions;
}

export class RtpMediaFactory implements CallMediaFactory {
  readonly localAddress: string;
  readonly allocator: RtpPortAllocator;
  readonly #bindAddress: string;
  readonly #sessionOptions: MediaSessionOptions;
  readonly #open = new Set<MediaSession>();

  constructor(options: RtpMediaFactoryOptions) {
    this.allocator = new RtpPortAllocator(options.portRange);
    this.#bindAddress = options.bindAddress ?? "0.0.0.0";
    this.localAddress = options.advertisedAddress ?? this.#bindAddress;
    this.#sessionOptions = options.session ?? {};
  }

  get openSessions(): number {
    return this.#open.size;
  }

  async open(): Promise<CallMediaSession> {
    const session = await MediaSession.open(
      { allocator: this.allocator, address: this.#bindAddress },
      this.#sessionOptions,
    );
    this.#open.add(session);
    session.once("closed", () => this.#open.delete(session));
    return session;
  }
}
