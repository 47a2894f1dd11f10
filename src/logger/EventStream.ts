import { SeverityNumber, type Logger as OtelLogger } from '@opentelemetry/api';
import { ATTR_LOGKIT_STREAM_NAME, ATTR_LOGKIT_STREAM_SEQUENCE } from '../attributes.js';
import { LoggingConfigError } from '../config/LoggingConfigError.js';
import { reportOnce } from '../internal/reportOnce.js';
import { toAttributes } from './toAnyValue.js';

/**
 * An ordered stream of events (orders placed, jobs run, …) that a consumer
 * can check for completeness: every record carries the stream's name
 * (`logkit.stream.name`) and a sequence number (`logkit.stream.sequence`, 1, 2,
 * 3, … per stream name and process). Records go through the pipeline like any
 * other (enrich, redact, limit, route) except that sampling, rate limits and
 * buffering until an error never drop or hold them, so a gap in a stream's
 * sequence means loss after the emit (a full queue, a failed export), never
 * sampling. `otel-logkit view --stream <name>` prints a stream and reports its
 * gaps per process (`service.instance.id`).
 */
export interface EventStream {
  /** The stream's name, as given to `handle.eventStream(name)`. */
  readonly name: string;
  /**
   * Emits one record with the OTel `eventName` `eventName`, severity INFO, the
   * given attributes (converted as a logger's are) and the stream's name and
   * next sequence number, in the active context (so it carries the active
   * span's trace id). Never throws; the level of the loggers does not apply.
   *
   * @param eventName - the record's event name (the Logs data model's `EventName`).
   * @param attributes - the event's attributes; the stream's two keys are set by the stream and win.
   * @returns the sequence number given to the record (1 for the first), or 0
   *   when nothing was emitted (a disabled registration, or a failure reported
   *   through diag).
   */
  emit(eventName: string, attributes?: Readonly<Record<string, unknown>>): number;
}

/** Where a stream's records are emitted, and its counter. */
interface StreamState {
  readonly logger: OtelLogger;
  last: number;
}

/**
 * Makes the `eventStream(name)` of a handle: one counter per stream name, so
 * two `eventStream('orders')` calls share one sequence.
 *
 * @param loggerFor - the OTel logger of a stream (its InstrumentationScope is the stream's name).
 */
export function eventStreamFactory(
  loggerFor: (name: string) => OtelLogger,
): (name: string) => EventStream {
  const states = new Map<string, StreamState>();
  return (name) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new LoggingConfigError('eventStream(name)', name, 'a non-empty string');
    }
    let state = states.get(name);
    if (!state) {
      state = { logger: loggerFor(name), last: 0 };
      states.set(name, state);
    }
    const s = state;
    return {
      name,
      emit(eventName, attributes) {
        try {
          const sequence = s.last + 1;
          const converted = attributes === undefined ? {} : toAttributes({ ...attributes });
          converted[ATTR_LOGKIT_STREAM_NAME] = name;
          converted[ATTR_LOGKIT_STREAM_SEQUENCE] = sequence;
          // Counted before the emit: a record the pipeline later loses is a gap.
          s.last = sequence;
          s.logger.emit({
            eventName: String(eventName),
            severityNumber: SeverityNumber.INFO,
            severityText: 'INFO',
            attributes: converted,
          });
          return sequence;
        } catch (error) {
          reportOnce(`stream:${name}`, `event stream ${name} could not emit`, error);
          return 0;
        }
      },
    };
  };
}

/** The `eventStream` of a disabled registration: streams that emit nothing. */
export function disabledEventStream(name: string): EventStream {
  return { name, emit: () => 0 };
}
