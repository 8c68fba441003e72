/**
 * The far side of the session capacity bench, run as a child process (so its cost is not counted
 * in ours): binds one UDP socket per call and sends each call 50 SRTP packets/s of a pre-encoded
 * payload. Driven over IPC by session-bench.ts.
 */
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { parseInlineKeyParams, SrtpSession } from "../../src/media/index.js";

export interface PeerCall {
  readonly ourPort: number;
  readonly keyParams: string;
  readonly payloadType: number;
  readonly unitsPerFrame: number;
}

export interface PeerStart {
  readonly kind: "start";
  readonly calls: readonly PeerCall[];
  readonly payload: readonly number[];
  /** Send phases per 20 ms frame (1 = every call in one burst). */
  readonly phases?: number;
}

export type ToPeer =
  | { readonly kind: "open"; readonly count: number }
  | PeerStart
  | { readonly kind: "stop" };

function runPeer(): void {
  let sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  process.on("message", async (raw: ToPeer) => {
    if (raw.kind === "open") {
      sockets = await Promise.all(
        Array.from({ length: raw.count }, async () => {
          const s = createSocket("udp4");
          s.bind(0, "127.0.0.1");
          await once(s, "listening");
          return s;
        }),
      );
      process.send?.({ kind: "ports", ports: sockets.map((s) => s.address().port) });
    } else if (raw.kind === "start") {
      const payload = Uint8Array.from(raw.payload);
      const calls = raw.calls.map((c, i) => {
        const key = parseInlineKeyParams(c.keyParams);
        if (!key.ok) throw new Error("bad key");
        return {
          ...c,
          socket: sockets[i] as Socket,
          srtp: new SrtpSession({ suite: "AES_CM_128_HMAC_SHA1_80", ...key.key }),
          ssrc: 0x1000 + i,
          seq: 0,
          ts: 0,
        };
      });
      const packet = Buffer.alloc(12 + payload.length);
      packet.set(payload, 12);
      // Independent phones are not in step: call i sends at phase (i mod phases) of the 20 ms frame,
      // on a drift-free schedule of 20 / phases ms steps. phases = 1 sends every call in one burst.
      const phases = Math.max(1, Math.min(20, raw.phases ?? 1));
      const stepMs = 20 / phases;
      const originMs = performance.now();
      let step = 0;
      const sendGroup = (group: number): void => {
        for (let i = group; i < calls.length; i += phases) {
          const c = calls[i];
          if (c === undefined) continue;
          packet[0] = 0x80;
          packet[1] = c.payloadType;
          packet.writeUInt16BE(c.seq, 2);
          packet.writeUInt32BE(c.ts >>> 0, 4);
          packet.writeUInt32BE(c.ssrc, 8);
          c.seq = (c.seq + 1) & 0xffff;
          c.ts += c.unitsPerFrame;
          const r = c.srtp.protectRtp(packet);
          if (r.ok) c.socket.send(r.packet, c.ourPort, "127.0.0.1");
        }
      };
      const onStep = (): void => {
        const dueStep = Math.floor((performance.now() - originMs) / stepMs);
        while (step <= dueStep) {
          sendGroup(step % phases);
          step++;
        }
        timer = setTimeout(onStep, Math.max(0, originMs + step * stepMs - performance.now()));
      };
      onStep();
      process.send?.({ kind: "started" });
    } else {
      clearTimeout(timer);
      for (const s of sockets) s.close();
      sockets = [];
      process.send?.({ kind: "stopped" });
    }
  });
}

if (process.argv.includes("--peer")) runPeer();
