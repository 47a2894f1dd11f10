import type { LogRecordView } from './otlp.js';
import { compareNanos } from './otlp.js';

/**
 * Merges per-source streams, each in time order, into one stream in time order
 * (a k-way merge: memory holds one batch per source). Records with equal times
 * keep the order of their sources. A source that is not in order still has
 * every record emitted, each when it reaches the front.
 */
export async function* mergeByTime(
  sources: AsyncIterator<LogRecordView[]>[],
): AsyncGenerator<LogRecordView[]> {
  if (sources.length === 1) {
    const only = sources[0]!;
    for (;;) {
      const next = await only.next();
      if (next.done) return;
      yield next.value;
    }
  }
  interface Head {
    source: AsyncIterator<LogRecordView[]>;
    order: number;
    batch: LogRecordView[];
    index: number;
  }
  const heap: Head[] = [];
  const less = (a: Head, b: Head): boolean => {
    const c = compareNanos(a.batch[a.index]!.timeNs, b.batch[b.index]!.timeNs);
    return c < 0 || (c === 0 && a.order < b.order);
  };
  const push = (head: Head): void => {
    heap.push(head);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  };
  const refill = async (head: Head): Promise<boolean> => {
    for (;;) {
      const next = await head.source.next();
      if (next.done) return false;
      if (next.value.length > 0) {
        head.batch = next.value;
        head.index = 0;
        return true;
      }
    }
  };
  for (const [order, source] of sources.entries()) {
    const head: Head = { source, order, batch: [], index: 0 };
    if (await refill(head)) push(head);
  }
  let out: LogRecordView[] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    out.push(top.batch[top.index]!);
    top.index++;
    if (top.index >= top.batch.length) {
      if (out.length > 0) {
        yield out;
        out = [];
      }
      if (!(await refill(top))) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown();
        }
        continue;
      }
    } else if (out.length >= 4096) {
      yield out;
      out = [];
    }
    siftDown();
  }
  if (out.length > 0) yield out;
}
