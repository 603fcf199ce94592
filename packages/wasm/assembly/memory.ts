// Linear-memory management for the column store. Columns and event buffers are
// plain blocks of the TLSF heap (16-byte aligned, so f64x2 loads of even
// indices are aligned); the TypeScript engine owns their lifetime.

/** Allocates `bytes` bytes (16-byte aligned) and returns the pointer. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Returns a block obtained from `alloc` to the heap. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
