/**
 * A loopback OTLP/gRPC receiver for tests: the three collector services
 * (`LogsService`, `MetricsService`, `TraceService`) from the vendored
 * `./otlp-proto/` files, served by `@grpc/grpc-js` on 127.0.0.1 and a free
 * port. Requests are decoded by `@grpc/proto-loader` and normalised into the
 * same shapes as the OTLP/HTTP receiver's ({@link ReceivedLogRecord}, ...), so
 * a test asserts the same way whichever transport delivered the data.
 *
 * @module
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import {
  normaliseOtlpRequest,
  type ReceivedLogRecord,
  type ReceivedMetric,
  type ReceivedSpan,
} from './otlpReceiver.js';

/** One Export call as the receiver saw it. */
export interface ReceivedGrpcCall {
  readonly signal: 'logs' | 'metrics' | 'traces';
  /** The call's metadata (request headers), lower-case keys. */
  readonly metadata: Record<string, grpc.MetadataValue>;
}

/** See {@link OtlpGrpcReceiver.respond}. */
export type GrpcAnswer =
  | { readonly error: Partial<grpc.StatusObject> }
  | 'hang'
  | { readonly response: Record<string, unknown> };

/** A running loopback OTLP/gRPC receiver; see {@link startOtlpGrpcReceiver}. */
export interface OtlpGrpcReceiver {
  /** `http://127.0.0.1:<port>` (or `https://` with TLS): the endpoint to give a gRPC exporter. */
  readonly url: string;
  readonly logs: ReceivedLogRecord[];
  readonly metrics: ReceivedMetric[];
  readonly spans: ReceivedSpan[];
  readonly calls: ReceivedGrpcCall[];
  /** Resolves once `predicate()` holds (checked every 10 ms); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /**
   * How the next Export calls are answered: an error status (the call is not
   * recorded), `'hang'` (never answered, not recorded), or a response message
   * (recorded, e.g. a `partialSuccess`). Undefined (the default): record and
   * answer an empty response.
   */
  respond: ((call: ReceivedGrpcCall) => GrpcAnswer | undefined) | undefined;
  clear(): void;
  close(): Promise<void>;
}

const SERVICES = {
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
} as const;

/**
 * Starts the receiver. `credentials` defaults to plaintext; give
 * `grpc.ServerCredentials.createSsl(...)` for a TLS receiver.
 */
export async function startOtlpGrpcReceiver(
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
  options: { readonly port?: number } = {},
): Promise<OtlpGrpcReceiver> {
  const dir = fileURLToPath(new URL('./otlp-proto/', import.meta.url));
  // The same object tree as the HTTP receiver's protobufjs decoding:
  // camelCase, longs as strings, enums as numbers, bytes as Buffers.
  const definition = protoLoader.loadSync(
    ['logs_service.proto', 'metrics_service.proto', 'trace_service.proto'],
    { includeDirs: [dir], keepCase: false, longs: String, enums: Number, defaults: false },
  );
  const logs: ReceivedLogRecord[] = [];
  const metrics: ReceivedMetric[] = [];
  const spans: ReceivedSpan[] = [];
  const calls: ReceivedGrpcCall[] = [];
  const server = new grpc.Server();
  // Assigned once the port is bound; the handlers run only after that.
  let receiver: OtlpGrpcReceiver;
  for (const [signal, name] of Object.entries(SERVICES) as [keyof typeof SERVICES, string][]) {
    server.addService(definition[name] as grpc.ServiceDefinition, {
      Export: (
        call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const receivedCall = { signal, metadata: call.metadata.getMap() };
        const answer = receiver.respond?.(receivedCall);
        if (answer === 'hang') return;
        if (answer && 'error' in answer) {
          callback(answer.error, null);
          return;
        }
        calls.push(receivedCall);
        const received = normaliseOtlpRequest(signal, call.request);
        if (signal === 'logs') logs.push(...(received as ReceivedLogRecord[]));
        else if (signal === 'metrics') metrics.push(...(received as ReceivedMetric[]));
        else spans.push(...(received as ReceivedSpan[]));
        callback(null, answer?.response ?? {});
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const secure = credentials._isSecure();
  return (receiver = {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    logs,
    metrics,
    spans,
    calls,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) {
          throw new Error(
            `gRPC receiver: timed out; got ${logs.length} logs, ${metrics.length} metrics, ${spans.length} spans in ${calls.length} calls`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    clear() {
      logs.length = 0;
      metrics.length = 0;
      spans.length = 0;
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Kept-alive client channels would hold tryShutdown open.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
    respond: undefined,
  });
}
