import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WasmRegionAllocator, wasmPageBytes } from "./wasm-region-allocator.js";

function allocator(startBytes: number, endBytes: number): { heap: WasmRegionAllocator; grown: number[] } {
  const grown: number[] = [];
  return { heap: new WasmRegionAllocator(startBytes, endBytes, (pages) => grown.push(pages)), grown };
}

describe("WasmRegionAllocator", () => {
  test("regions are 16-byte aligned, disjoint, and start at the aligned start", () => {
    const { heap } = allocator(100, wasmPageBytes);
    const a = heap.allocate(10);
    const b = heap.allocate(33);
    const c = heap.allocate(16);
    assert.deepEqual([a, b, c], [112, 128, 176]);
    assert.equal(heap.allocatedBytes, 16 + 48 + 16);
    assert.equal(heap.liveRegions, 3);
  });

  test("freed regions are reused first-fit and merge with free neighbours", () => {
    const { heap, grown } = allocator(0, 1024);
    const a = heap.allocate(256);
    const b = heap.allocate(256);
    const c = heap.allocate(256);
    heap.free(a);
    heap.free(c);
    assert.equal(heap.allocate(128), a, "first fit");
    heap.free(a);
    heap.free(b);
    // a, b, c and the tail merged: one 1024-byte block again.
    assert.equal(heap.allocate(1024), 0);
    assert.deepEqual(grown, []);
    assert.equal(heap.liveRegions, 1);
  });

  test("a double free or an unknown offset changes nothing", () => {
    const { heap, grown } = allocator(0, 1024);
    const a = heap.allocate(64);
    heap.free(a);
    heap.free(a);
    heap.free(999);
    assert.equal(heap.allocate(1024), 0);
    assert.equal(heap.liveRegions, 1);
    assert.deepEqual(grown, []);
    // Full now: the next region needs a new page.
    assert.equal(heap.allocate(16), 1024);
    assert.deepEqual(grown, [1]);
  });

  test("grows by whole pages when nothing fits, counting a free tail", () => {
    const { heap, grown } = allocator(0, wasmPageBytes);
    const a = heap.allocate(wasmPageBytes - 4096);
    // 4096 free at the tail: 70000 - 4096 more bytes need 2 pages.
    const b = heap.allocate(70000);
    assert.deepEqual(grown, [2]);
    assert.equal(b, a + wasmPageBytes - 4096);
    assert.equal(heap.endBytes, 3 * wasmPageBytes);
    heap.free(a);
    heap.free(b);
    assert.equal(heap.allocate(3 * wasmPageBytes), 0, "all merged after growth");
  });
});
