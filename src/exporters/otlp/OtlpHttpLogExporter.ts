import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonLogsSerializer,
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
  type IExportLogsServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogsJson } from './encodeLogsJson.js';
import { encodeLogsProtobuf } from './encodeLogsProtobuf.js';

/** An OTLP logs request encoder: a batch in, the request body out. */
export type LogsRequestEncoder = (records: readonly ReadableLogRecord[]) => Uint8Array;

/** `otel.component.type` of an OTLP/HTTP log exporter (OTel semconv, the SDK exporters' value). */
const COMPONENT_TYPE = 'otlp_http_log_exporter';

/** The wire encoding of {@link OtlpHttpLogExporter}: OTLP/HTTP protobuf or JSON. */
export type OtlpHttpLogEncoding = 'protobuf' | 'json';

const ENCODINGS = {
  protobuf: {
    contentType: 'application/x-protobuf',
    encode: encodeLogsProtobuf,
    response: ProtobufLogsSerializer,
  },
  json: { contentType: 'application/json', encode: encodeLogsJson, response: JsonLogsSerializer },
} as const;

/**
 * An OTLP/HTTP `LogRecordExporter` that encodes batches with our own encoders
 * ({@link encodeLogsProtobuf}, {@link encodeLogsJson}) and sends them with the
 * SDK's transport (`@opentelemetry/otlp-exporter-base`): the same options and
 * `OTEL_EXPORTER_OTLP_[LOGS_]*` environment variables as the SDK's
 * `OTLPLogExporter` (endpoint, headers, timeout, compression, TLS
 * certificates), with its retries, concurrency limit and partial-success
 * handling. It never throws; failures reach the export callback and `diag`.
 */
export class OtlpHttpLogExporter
  extends OTLPExporterBase<ReadableLogRecord[]>
  implements LogRecordExporter
{
  /**
   * @param config - the SDK exporter's options (`url`, `headers`, `timeoutMillis`,
   *   `compression`, `httpAgentOptions`, ...); unset ones come from the environment.
   * @param encoding - `'protobuf'` (default) or `'json'`.
   */
  constructor(config: OTLPExporterNodeConfigBase = {}, encoding: OtlpHttpLogEncoding = 'protobuf') {
    const { contentType, encode, response } = ENCODINGS[encoding];
    const serializer: ISerializer<ReadableLogRecord[], IExportLogsServiceResponse> = {
      serializeRequest: encode,
      deserializeResponse: (data) => response.deserializeResponse(data),
    };
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'LOGS', 'v1/logs', { 'Content-Type': contentType }),
        serializer,
        COMPONENT_TYPE,
        LogsExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
