import { ATTR_LOGKIT_STREAM_NAME, ATTR_LOGKIT_STREAM_SEQUENCE } from '../attributes.js';
import { EXIT_NO_MATCH, EXIT_OK, UsageError } from './errors.js';
import { RecordFilter, buildFilterSpec } from './filters.js';
import type { LogRecordView } from './otlp.js';
import { Output, warn } from './output.js';
import { ScanContext } from './ScanContext.js';
import { scanInTimeOrder } from './readFileRecords.js';
import { resolveInputs } from './resolveInputs.js';
import { recordWriter, type ViewOptions } from './view.js';

/** Exit code of `view --stream` when a stream's sequence has gaps (records lost upstream). */
export const EXIT_STREAM_GAPS = 3;

/** The semconv key of the process instance a record came from. */
const SERVICE_INSTANCE_ID = 'service.instance.id';

/** A stream's records from one process, and what its sequence shows. */
export interface StreamProcessReport {
  /** The Resource's `service.instance.id`, or `''` when the records have none. */
  readonly instance: string;
  /** `service.name`, when the records have one. */
  readonly service: string | undefined;
  /** Records found (duplicates included). */
  readonly records: number;
  /** Lowest and highest sequence number found. */
  readonly first: number;
  readonly last: number;
  /**
   * Sequence numbers missing between {@link first} and {@link last}, as
   * inclusive ranges: records lost after they were emitted.
   */
  readonly gaps: ReadonlyArray<readonly [number, number]>;
  /** How many of the numbers from 1 to {@link first} − 1 are absent (lost, rotated out, or before `--since`). */
  readonly missingBefore: number;
  /** Sequence numbers found more than once (a record delivered twice). */
  readonly duplicates: readonly number[];
}

/** The sequence number of a record of stream `name`, or undefined when it is not one. */
function sequenceOf(record: LogRecordView, name: string): number | undefined {
  if (record.attributes[ATTR_LOGKIT_STREAM_NAME] !== name) return undefined;
  const raw = record.attributes[ATTR_LOGKIT_STREAM_SEQUENCE];
  const n = typeof raw === 'string' ? Number(raw) : raw;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Orders a stream's records per process (by sequence number) and finds the
 * gaps and duplicates in each sequence. Processes come in the order of their
 * first record.
 */
export function analyseStream(
  records: readonly LogRecordView[],
  name: string,
): { ordered: LogRecordView[]; processes: StreamProcessReport[] } {
  const groups = new Map<string, Array<{ record: LogRecordView; sequence: number }>>();
  for (const record of records) {
    const sequence = sequenceOf(record, name);
    if (sequence === undefined) continue;
    const id = record.resource.attributes[SERVICE_INSTANCE_ID];
    const instance = typeof id === 'string' ? id : '';
    let group = groups.get(instance);
    if (!group) groups.set(instance, (group = []));
    group.push({ record, sequence });
  }
  const ordered: LogRecordView[] = [];
  const processes: StreamProcessReport[] = [];
  for (const [instance, group] of groups) {
    // Stable: equal numbers (duplicates) keep their time order.
    group.sort((a, b) => a.sequence - b.sequence);
    const gaps: Array<[number, number]> = [];
    const duplicates: number[] = [];
    let previous = 0;
    for (const { record, sequence } of group) {
      ordered.push(record);
      if (sequence === previous) {
        if (duplicates.at(-1) !== sequence) duplicates.push(sequence);
        continue;
      }
      if (previous > 0 && sequence > previous + 1) gaps.push([previous + 1, sequence - 1]);
      previous = sequence;
    }
    const first = group[0]!.sequence;
    processes.push({
      instance,
      service: group[0]!.record.resource.service,
      records: group.length,
      first,
      last: previous,
      gaps,
      missingBefore: first - 1,
      duplicates,
    });
  }
  return { ordered, processes };
}

function ranges(gaps: ReadonlyArray<readonly [number, number]>): string {
  return gaps.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
}

/** One line per process: what was found, and the gaps. */
export function formatStreamReport(
  name: string,
  processes: readonly StreamProcessReport[],
): string {
  return processes
    .map((p) => {
      const who = `${p.service ?? 'unknown service'}, instance ${p.instance || '(none)'}`;
      const missing = p.gaps.reduce((n, [a, b]) => n + b - a + 1, 0);
      let line = `stream ${name} (${who}): ${p.records} record${p.records === 1 ? '' : 's'}, sequence ${p.first}–${p.last}`;
      line +=
        missing === 0 ? ', no gaps' : `, ${missing} missing (lost upstream): ${ranges(p.gaps)}`;
      if (p.missingBefore > 0) {
        line += `; starts at ${p.first}: ${p.missingBefore} earlier record${p.missingBefore === 1 ? '' : 's'} not in these files (lost, rotated out or filtered)`;
      }
      if (p.duplicates.length > 0) line += `; delivered more than once: ${p.duplicates.join(', ')}`;
      return line;
    })
    .join('\n');
}

/**
 * `otel-logkit view --stream <name> [paths...]`: the records of event stream
 * `name` (the other filters apply too), per process (`service.instance.id`)
 * in sequence order, then on stderr one line per process with its gaps:
 * sequence numbers missing between the first and last found, i.e. records
 * lost after they were emitted. Resolves to the exit code: 0 when the stream
 * has no gaps, {@link EXIT_STREAM_GAPS} when it has, 1 when no record of it
 * was found.
 */
export async function runStreamView(
  name: string,
  paths: string[],
  options: ViewOptions,
): Promise<number> {
  if (options.follow || options.list) {
    throw new UsageError('--stream cannot be combined with --follow or --list');
  }
  const filter = new RecordFilter(buildFilterSpec(options));
  const inputs = await resolveInputs(paths);
  const context = new ScanContext(filter);
  const found: LogRecordView[] = [];
  for await (const batch of scanInTimeOrder(inputs.chains, context)) {
    for (const record of batch) {
      if (record.attributes[ATTR_LOGKIT_STREAM_NAME] === name) found.push(record);
    }
  }
  const { ordered, processes } = analyseStream(found, name);
  const selected = options.tail === undefined ? ordered : ordered.slice(-options.tail);
  const write = recordWriter(options);
  const out = new Output();
  for (const record of selected) {
    const wait = out.write(write(record));
    if (wait) await wait;
  }
  await out.flush();
  const malformed = context.malformedReport();
  if (malformed) warn(malformed);
  if (processes.length === 0) {
    warn(`no records of stream ${name}`);
    return EXIT_NO_MATCH;
  }
  for (const line of formatStreamReport(name, processes).split('\n')) warn(line);
  return processes.some((p) => p.gaps.length > 0) ? EXIT_STREAM_GAPS : EXIT_OK;
}
