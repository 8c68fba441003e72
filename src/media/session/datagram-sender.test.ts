import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { describe, test } from "node:test";
import { mediaAddon } from "../native/media-addon.js";
import { createDatagramSender } from "./datagram-sender.js";

async function bound(type: "udp4" | "udp6", address: string): Promise<Socket> {
  const socket = createSocket(type);
  socket.bind(0, address);
  await once(socket, "listening");
  return socket;
}

async function receiveOne(socket: Socket): Promise<{ data: Buffer; port: number }> {
  const [data, rinfo] = (await once(socket, "message")) as [Buffer, { port: number }];
  return { data, port: rinfo.port };
}

describe("datagram sender", () => {
  test("native: sends the given range from the socket's own port, IPv4 and IPv6; a changed target is followed", async () => {
    for (const [type, address] of [
      ["udp4", "127.0.0.1"],
      ["udp6", "::1"],
    ] as const) {
      const receiverA = await bound(type, address);
      const receiverB = await bound(type, address);
      const sender = await bound(type, address);
      try {
        const out = createDatagramSender(sender, "native");
        assert.equal(out.engine, "native");
        const data = Uint8Array.from([9, 1, 2, 3, 4, 9]);
        const target = { address, port: receiverA.address().port };
        const first = receiveOne(receiverA);
        assert.equal(out.send(data, 1, 4, target), 4);
        const got = await first;
        assert.deepEqual([...got.data], [1, 2, 3, 4]);
        assert.equal(got.port, sender.address().port);
        const second = receiveOne(receiverB);
        assert.equal(out.send(data, 0, 6, { address, port: receiverB.address().port }), 6);
        assert.equal((await second).data.length, 6);
      } finally {
        for (const s of [receiverA, receiverB, sender]) s.close();
      }
    }
  });

  test("native: after the socket closes, a send returns an error and never reaches the descriptor", async () => {
    const receiver = await bound("udp4", "127.0.0.1");
    const sender = await bound("udp4", "127.0.0.1");
    const out = createDatagramSender(sender, "native");
    sender.close();
    await once(sender, "close");
    // A new socket may now hold the old descriptor number: nothing may be sent through it.
    const reuser = await bound("udp4", "127.0.0.1");
    let received = 0;
    receiver.on("message", () => received++);
    assert.ok(out.send(new Uint8Array(4), 0, 4, { address: "127.0.0.1", port: receiver.address().port }) < 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received, 0);
    receiver.close();
    reuser.close();
  });

  test("a host name target (not an IP literal) and the no-addon fallback go through dgram send()", async () => {
    const receiver = await bound("udp4", "127.0.0.1");
    const sender = await bound("udp4", "127.0.0.1");
    try {
      for (const out of [createDatagramSender(sender, "native"), createDatagramSender(sender, "dgram")]) {
        const arrived = receiveOne(receiver);
        assert.equal(
          out.send(Uint8Array.from([7, 7]), 0, 2, { address: "localhost", port: receiver.address().port }),
          2,
        );
        assert.deepEqual([...(await arrived).data], [7, 7]);
      }
      assert.equal(createDatagramSender(sender, "dgram").engine, "dgram");
      // The process default follows RINGAGENT_MEDIA_NATIVE (native when unset and built).
      const off = process.env.RINGAGENT_MEDIA_NATIVE === "off";
      assert.equal(createDatagramSender(sender).engine, off ? "dgram" : "native");
      assert.equal(mediaAddon() === undefined, off);
    } finally {
      receiver.close();
      sender.close();
    }
  });
});
