import type { Meter, ObservableResult } from '@opentelemetry/api';
import type { DestinationHealth } from '../processors/DestinationMonitor.js';
import {
  ATTR_DESTINATION,
  METRIC_DELIVERY_BACKLOG,
  METRIC_SPOOL_OLDEST_AGE,
  METRIC_SPOOL_RECORDS,
  METRIC_SPOOL_SEGMENTS,
  METRIC_SPOOL_SIZE,
  UNIT_LOG_RECORD,
} from './names.js';

/**
 * Observable instruments for the spool and the in-memory backlog of each
 * delivering destination (see `DeliveringLogRecordProcessor`), read from the
 * destinations' health snapshots at collection time.
 */
export function observeDelivery(
  meter: Meter,
  destinations: () => readonly DestinationHealth[],
): void {
  const spooling = () => destinations().filter((d) => d.spool !== undefined);
  const each =
    (read: (d: DestinationHealth) => number) =>
    (result: ObservableResult): void => {
      for (const d of spooling()) result.observe(read(d), { [ATTR_DESTINATION]: d.name });
    };
  meter
    .createObservableUpDownCounter(METRIC_SPOOL_RECORDS, {
      unit: UNIT_LOG_RECORD,
      description: 'Log records waiting in the spool for the endpoint to accept them.',
    })
    .addCallback(each((d) => d.spool!.records));
  meter
    .createObservableUpDownCounter(METRIC_SPOOL_SIZE, {
      unit: 'By',
      description: 'Bytes of the spool segment files.',
    })
    .addCallback(each((d) => d.spool!.bytes));
  meter
    .createObservableUpDownCounter(METRIC_SPOOL_SEGMENTS, {
      unit: '{segment}',
      description: 'Spool segment files.',
    })
    .addCallback(each((d) => d.spool!.segments));
  meter
    .createObservableGauge(METRIC_SPOOL_OLDEST_AGE, {
      unit: 's',
      description: 'Age of the oldest log record waiting in the spool.',
    })
    .addCallback(each((d) => d.spool!.oldestAgeMillis / 1000));
  meter
    .createObservableUpDownCounter(METRIC_DELIVERY_BACKLOG, {
      unit: UNIT_LOG_RECORD,
      description: 'Log records held in memory before they are sent or spooled.',
    })
    .addCallback(each((d) => d.queue?.size ?? 0));
}
