import assert from "node:assert/strict";
import type { RemoteInfo } from "node:dgram";
import { test } from "node:test";
import { ReceivedDatagramQueue } from "./received-datagram-queue.js";

const source: RemoteInfo = { address: "127.0.0.1", family: "IPv4", port: 4000, size: 1 };

test("datagrams come out in arrival order with their arrival times, once", () => {
  const q = new ReceivedDatagramQueue(4);
  const seen: Array<[number, number]> = [];
  const handle = (msg: Buffer, _s: RemoteInfo, at: number): void => {
    seen.push([msg[0] ?? -1, at]);
  };
  for (let i = 0; i < 3; i++) q.push(Buffer.from([i]), source, 100 + i, handle);
  assert.equal(q.length, 3);
  assert.deepEqual(seen, []);
  q.drain(handle);
  assert.deepEqual(seen, [
    [0, 100],
    [1, 101],
    [2, 102],
  ]);
  q.drain(handle);
  assert.equal(seen.length, 3);
});

test("a full queue is worked before the next datagram is queued; clear drops what is held", () => {
  const q = new ReceivedDatagramQueue(2);
  const seen: number[] = [];
  const handle = (msg: Buffer): void => {
    seen.push(msg[0] ?? -1);
  };
  for (let i = 0; i < 5; i++) q.push(Buffer.from([i]), source, i, handle);
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.equal(q.length, 1);
  q.clear();
  q.drain(handle);
  assert.deepEqual(seen, [0, 1, 2, 3]);
});
