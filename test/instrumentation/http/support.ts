import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
import { EVENT_HTTP_ACCESS, EVENT_HTTP_ERROR } from '../../../src/instrumentation/http/index.js';
import type { ReceivedLogRecord } from '../../helpers/otlpReceiver.js';
import { useOtlpReceiver, type OtlpTestContext } from '../../helpers/useOtlpReceiver.js';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const PARENT_SPAN_ID = '00f067aa0ba902b7';
export const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

/** What {@link useHttpTestServer} gives an HTTP instrumentation test file. */
export interface HttpTestContext {
  readonly otlp: OtlpTestContext;
  /** Listens on a free loopback port and returns the base URL; closed after the test. */
  readonly listen: (server: Server) => Promise<string>;
  /** Runs `close` after the test, before the registration shuts down. */
  readonly closeAfter: (close: () => Promise<void>) => void;
  readonly accessRecords: () => ReceivedLogRecord[];
  readonly errorRecords: () => ReceivedLogRecord[];
  /** The access record of `path` (expected to exist). */
  readonly accessFor: (path: string) => ReceivedLogRecord;
  /** Flushes the registration and waits until the receiver holds what `predicate` wants. */
  readonly flushAndWait: (predicate: () => boolean) => Promise<void>;
}

/**
 * The hooks of an HTTP instrumentation test file: an OTLP receiver (the
 * registration shut down, the receiver cleared and report-once state reset
 * after each test) and the test's servers closed after each test.
 */
export function useHttpTestServer(): HttpTestContext {
  const otlp = useOtlpReceiver({ serviceName: 'http-it' });
  const closers: Array<() => Promise<void>> = [];

  // Registered after useOtlpReceiver's, so it runs first (afterEach hooks run in
  // reverse order): the servers close before the registration shuts down.
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  const accessRecords = (): ReceivedLogRecord[] =>
    otlp.receiver.logs.filter((r) => r.eventName === EVENT_HTTP_ACCESS);

  return {
    otlp,
    listen: async (server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closers.push(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    closeAfter: (close) => {
      closers.push(close);
    },
    accessRecords,
    errorRecords: () => otlp.receiver.logs.filter((r) => r.eventName === EVENT_HTTP_ERROR),
    accessFor: (path) => {
      const record = accessRecords().find((r) => r.attributes['url.path'] === path);
      expect(record, `access record of ${path}`).toBeDefined();
      return record!;
    },
    flushAndWait: async (predicate) => {
      await otlp.handle!.forceFlush();
      await otlp.receiver.waitFor(predicate);
    },
  };
}
