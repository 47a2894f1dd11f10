import { errorCode } from './errors.js';

/**
 * Buffers text for standard output and writes it in large chunks, waiting for
 * `drain` when the pipe is full (so memory stays flat when the reader is slow).
 */
export class Output {
  private buffer = '';
  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream = process.stdout) {
    this.stream = stream;
  }

  /** Queues `text`; returns a promise to await only when the buffer was flushed into a full pipe. */
  write(text: string): Promise<void> | undefined {
    this.buffer += text;
    if (this.buffer.length >= 64 * 1024) return this.flush();
    return undefined;
  }

  /** Writes out what is buffered; resolves once the stream can take more. */
  flush(): Promise<void> | undefined {
    if (this.buffer === '') return undefined;
    const chunk = this.buffer;
    this.buffer = '';
    if (this.stream.write(chunk)) return undefined;
    return new Promise((resolve) => this.stream.once('drain', resolve));
  }
}

/**
 * Makes a closed standard output (`otel-logkit view | head -1`) end the
 * process quietly with code 0 instead of an EPIPE stack trace; a closed
 * standard error is ignored.
 */
export function handleClosedPipes(): void {
  process.stdout.on('error', (error) => {
    if (errorCode(error) === 'EPIPE' || errorCode(error) === 'ERR_STREAM_DESTROYED') {
      process.exit(0);
    }
    process.stderr.write(`otel-logkit: cannot write output: ${(error as Error).message}\n`);
    process.exit(2);
  });
  process.stderr.on('error', () => {});
}

/** Prints `otel-logkit: <message>` on standard error. */
export function warn(message: string): void {
  process.stderr.write(`otel-logkit: ${message}\n`);
}
