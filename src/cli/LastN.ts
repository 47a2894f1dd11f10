/**
 * Keeps the last `n` items pushed (a ring buffer), for `--tail N`: memory
 * stays at `n` items however long the input.
 */
export class LastN<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(private readonly n: number) {}

  push(item: T): void {
    if (this.n <= 0) return;
    if (this.items.length < this.n) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.n;
    }
  }

  /** The kept items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.items.length; i++) {
      yield this.items[(this.start + i) % this.items.length]!;
    }
  }
}
