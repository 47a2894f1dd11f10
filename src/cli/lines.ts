const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Longest line kept, in bytes. Longer ones (a binary file, a runaway write)
 * are dropped as they stream past and reported as malformed, so memory stays
 * bounded whatever the input. Our exporter writes at most one export batch
 * per line (512 records by default), far below this.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Receives each complete line; `oversize` is true for a dropped overlong line (text is ''). */
export type LineHandler = (line: string, oversize: boolean) => void;

/**
 * Splits a byte stream into UTF-8 lines on `\n` (a `\r` before it is dropped),
 * across chunk boundaries. A partial last line is held until more bytes come
 * ({@link push}) or the input ends ({@link end}), which is what lets `--follow`
 * wait for a line the writer has not finished.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  // Inside a line longer than MAX_LINE_BYTES: its bytes are skipped up to its end.
  private skipping = false;

  /** Calls `onLine` for each line `chunk` completes, in order. */
  push(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      if (this.skipping) {
        this.skipping = false;
        onLine('', true);
      } else if (this.partBytes > 0) {
        this.parts.push(chunk.subarray(start, newline));
        const whole = Buffer.concat(this.parts);
        this.parts = [];
        this.partBytes = 0;
        onLine(decode(whole, 0, whole.length), false);
      } else {
        onLine(decode(chunk, start, newline), false);
      }
      start = newline + 1;
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.length - start;
      if (this.partBytes + rest > MAX_LINE_BYTES) {
        this.parts = [];
        this.partBytes = 0;
        this.skipping = true;
      } else {
        // A copy: the caller may reuse `chunk` (follow mode reads into one buffer).
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.partBytes += rest;
      }
    }
  }

  /** Whether a partial line is held. */
  get hasPartial(): boolean {
    return this.partBytes > 0 || this.skipping;
  }

  /** End of input: hands over the partial last line, if any (a truncated write). */
  end(onLine: LineHandler): void {
    if (this.skipping) {
      this.skipping = false;
      onLine('', true);
    } else if (this.partBytes > 0) {
      const whole = Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
      onLine(decode(whole, 0, whole.length), false);
    }
  }

  /** Forgets any partial line (the file was truncated under us). */
  reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.skipping = false;
  }
}

function decode(buffer: Buffer, start: number, end: number): string {
  if (end > start && buffer[end - 1] === CR) end--;
  return buffer.toString('utf8', start, end);
}
