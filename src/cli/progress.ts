import { formatBytes, formatCount } from './format.js';

/** How long a scan runs before the progress line appears, ms. */
const DELAY_MS = 500;
const INTERVAL_MS = 200;

/**
 * A one-line progress indicator on standard error for long scans: bytes read
 * of the total, percent, records matched. Shown only when standard error is a
 * TTY (never in pipes, files or CI logs), only after half a second, and
 * erased when the scan ends.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private readonly started = Date.now();

  constructor(
    private readonly totalBytes: number,
    private readonly read: () => { bytes: number; matched: number },
    private readonly enabled: boolean = process.stderr.isTTY === true,
  ) {}

  start(): this {
    if (!this.enabled) return this;
    this.timer = setInterval(() => this.draw(), INTERVAL_MS);
    this.timer.unref();
    return this;
  }

  private draw(): void {
    if (Date.now() - this.started < DELAY_MS) return;
    const { bytes, matched } = this.read();
    const percent = this.totalBytes > 0 ? Math.min(100, (bytes / this.totalBytes) * 100) : 100;
    const text =
      `scanning ${formatBytes(bytes)} / ${formatBytes(this.totalBytes)} ` +
      `(${percent.toFixed(0)}%), ${formatCount(matched)} matching records`;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** Stops and erases the line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
