/**
 * A first-fit free-list allocator of byte regions inside one WebAssembly.Memory: regions are
 * 16-byte aligned (v128 loads), freed regions merge with free neighbours, and the memory grows by
 * whole 64 KiB pages when nothing fits. Used at construction and release of a resampler, never per
 * frame. Pure bookkeeping: the caller gives the grow function and learns of each growth (old
 * ArrayBuffer views are detached then).
 */
export const wasmPageBytes = 65536;
const alignBytes = 16;

interface FreeBlock {
  offset: number;
  size: number;
}

export class WasmRegionAllocator {
  /** Free blocks, sorted by offset, never adjacent (merged). */
  readonly #free: FreeBlock[] = [];
  readonly #sizes = new Map<number, number>();
  readonly #grow: (pages: number) => void;
  #endBytes: number;

  /**
   * Manages [startBytes, endBytes) of a memory; `grow(pages)` adds pages at its end (the allocator
   * then owns them too).
   */
  constructor(startBytes: number, endBytes: number, grow: (pages: number) => void) {
    const start = align(startBytes);
    this.#endBytes = endBytes;
    if (endBytes > start) this.#free.push({ offset: start, size: endBytes - start });
    this.#grow = grow;
  }

  /** Offset of a new region of at least `bytes` bytes (16-byte aligned). */
  allocate(bytes: number): number {
    const size = align(Math.max(bytes, 1));
    let index = this.#free.findIndex((block) => block.size >= size);
    if (index < 0) {
      const last = this.#free.at(-1);
      const tailFree = last !== undefined && last.offset + last.size === this.#endBytes ? last.size : 0;
      const pages = Math.ceil((size - tailFree) / wasmPageBytes);
      this.#grow(pages);
      this.#release(this.#endBytes, pages * wasmPageBytes);
      this.#endBytes += pages * wasmPageBytes;
      index = this.#free.length - 1;
    }
    const block = this.#free[index] as FreeBlock;
    const offset = block.offset;
    if (block.size === size) this.#free.splice(index, 1);
    else {
      block.offset += size;
      block.size -= size;
    }
    this.#sizes.set(offset, size);
    return offset;
  }

  /** Returns a region from allocate(); a second free of the same offset does nothing. */
  free(offset: number): void {
    const size = this.#sizes.get(offset);
    if (size === undefined) return;
    this.#sizes.delete(offset);
    this.#release(offset, size);
  }

  /** Bytes in live regions. */
  get allocatedBytes(): number {
    let total = 0;
    for (const size of this.#sizes.values()) total += size;
    return total;
  }

  get liveRegions(): number {
    return this.#sizes.size;
  }

  /** End of the managed range (grows with the memory). */
  get endBytes(): number {
    return this.#endBytes;
  }

  #release(offset: number, size: number): void {
    const free = this.#free;
    let i = 0;
    while (i < free.length && (free[i] as FreeBlock).offset < offset) i++;
    free.splice(i, 0, { offset, size });
    const next = free[i + 1];
    const current = free[i] as FreeBlock;
    if (next !== undefined && current.offset + current.size === next.offset) {
      current.size += next.size;
      free.splice(i + 1, 1);
    }
    const previous = free[i - 1];
    if (previous !== undefined && previous.offset + previous.size === current.offset) {
      previous.size += current.size;
      free.splice(i, 1);
    }
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / alignBytes) * alignBytes;
}
