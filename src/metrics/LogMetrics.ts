import type { Attributes, Context, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../attributes.js';
import { LoggingConfigError } from '../config/LoggingConfigError.js';
import { severityRangeName } from '../logger/levels.js';
import type { DropCounts } from '../processors/DropCounts.js';
import { DROP_REASONS } from '../processors/PipelineStep.js';
import { compileRouteRule } from '../processors/routing/RouteRule.js';
import type { LogMetricRule } from './LogMetricRule.js';
import {
  ATTR_CATEGORY,
  ATTR_DROP_REASON,
  ATTR_EVENT_NAME,
  ATTR_SEVERITY_TEXT,
  METRIC_LOG_RECORD_COUNT,
  METRIC_LOG_RECORD_DROPPED,
  UNIT_LOG_RECORD,
} from './names.js';

/**
 * Distinct attribute sets of `log.record.count` before the overflow series:
 * with it, the SDK's default cardinality limit of 2000 series per metric.
 */
export const MAX_COUNT_SERIES = 1999;
/** Marks the series that collects what exceeded a cardinality limit (OTel metrics SDK spec). */
const ATTR_METRIC_OVERFLOW = 'otel.metric.overflow';

interface CountSeries {
  readonly attributes: Attributes;
  value: number;
}

interface CompiledRule {
  readonly matches: (record: ReadWriteLogRecord) => boolean;
  readonly attribute: string | undefined;
  readonly dimensions: readonly string[];
  readonly record: (value: number, attributes: Attributes, ctx: Context) => void;
}

/**
 * Metrics derived from log records through the OTel Meter: the record count
 * by severity, category and event name (read as records enter the pipeline,
 * before sampling, so it shows the true volume), the dropped-record counter by
 * reason, and the user's {@link LogMetricRule}s. Instruments are created once,
 * here; {@link observe} is the per-record part.
 */
export class LogMetrics {
  private readonly rules: readonly CompiledRule[];
  /**
   * The record count by severity text, category and event name: running
   * totals, reported by an ObservableCounter when the metrics are collected.
   * A synchronous Counter's `add` hashes its attributes on every call (about
   * 1 µs per record with a metric reader in sdk-metrics 2.12); a Map increment
   * costs a few tens of ns. Past {@link MAX_COUNT_SERIES} distinct sets, the
   * rest go to one series marked `otel.metric.overflow: true`, as the SDK does
   * past its cardinality limit.
   */
  private readonly countSeries = new Map<string, CountSeries>();
  private overflow: CountSeries | undefined;

  /** @throws {@link LoggingConfigError} for a bad rule (naming `option metricRules[i]`). */
  constructor(meter: Meter, counts: DropCounts, rules: readonly LogMetricRule[] = []) {
    meter
      .createObservableCounter(METRIC_LOG_RECORD_COUNT, {
        unit: UNIT_LOG_RECORD,
        description: 'Log records emitted, before sampling, by severity, category and event name.',
      })
      .addCallback((result) => {
        for (const series of this.countSeries.values()) {
          result.observe(series.value, series.attributes);
        }
        if (this.overflow) result.observe(this.overflow.value, this.overflow.attributes);
      });
    meter
      .createObservableCounter(METRIC_LOG_RECORD_DROPPED, {
        unit: UNIT_LOG_RECORD,
        description: 'Log records that did not reach an exporter, by reason.',
      })
      .addCallback((result) => {
        const { dropped } = counts.snapshot();
        for (const reason of DROP_REASONS) {
          result.observe(dropped[reason], { [ATTR_DROP_REASON]: reason });
        }
      });
    this.rules = rules.map((rule, index) => compileRule(meter, rule, index));
  }

  /** Records one log record's share of every metric; never throws. */
  observe(record: ReadWriteLogRecord, ctx: Context): void {
    const severity = record.severityText ?? severityRangeName(record.severityNumber);
    const category = record.attributes[ATTR_LOGKIT_CATEGORY];
    const eventName = record.eventName;
    const key = `${severity}\u0000${typeof category === 'string' ? category : ''}\u0000${eventName ?? ''}`;
    let series = this.countSeries.get(key);
    if (!series) {
      if (this.countSeries.size < MAX_COUNT_SERIES) {
        const attributes: Attributes = { [ATTR_SEVERITY_TEXT]: severity };
        if (typeof category === 'string') attributes[ATTR_CATEGORY] = category;
        if (eventName) attributes[ATTR_EVENT_NAME] = eventName;
        series = { attributes, value: 0 };
        this.countSeries.set(key, series);
      } else {
        series = this.overflow ??= { attributes: { [ATTR_METRIC_OVERFLOW]: true }, value: 0 };
      }
    }
    series.value++;
    for (const rule of this.rules) {
      if (!rule.matches(record)) continue;
      let value = 1;
      if (rule.attribute !== undefined) {
        const raw = record.attributes[rule.attribute];
        if (typeof raw !== 'number' || !Number.isFinite(raw)) continue;
        value = raw;
      }
      const point: Attributes = {};
      for (const dimension of rule.dimensions) {
        const v = record.attributes[dimension];
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
          point[dimension] = v;
      }
      rule.record(value, point, ctx);
    }
  }
}

function compileRule(meter: Meter, rule: LogMetricRule, index: number): CompiledRule {
  const source = `option metricRules[${index}]`;
  if (typeof rule !== 'object' || rule === null)
    throw new LoggingConfigError(source, rule, 'an object');
  if (typeof rule.name !== 'string' || !/^[A-Za-z][\w./-]{0,254}$/.test(rule.name)) {
    throw new LoggingConfigError(
      `${source}.name`,
      rule.name,
      'an instrument name (a letter, then letters, digits, _ . / -)',
    );
  }
  if (rule.instrument !== 'histogram' && rule.instrument !== 'counter') {
    throw new LoggingConfigError(
      `${source}.instrument`,
      rule.instrument,
      '`histogram` or `counter`',
    );
  }
  if (rule.instrument === 'histogram' && typeof rule.attribute !== 'string') {
    throw new LoggingConfigError(
      `${source}.attribute`,
      rule.attribute,
      'the record attribute a histogram records',
    );
  }
  if (!rule.match || (rule.match.eventName === undefined && rule.match.category === undefined)) {
    throw new LoggingConfigError(
      `${source}.match`,
      rule.match,
      'an eventName and/or category pattern',
    );
  }
  const options = { unit: rule.unit, description: rule.description };
  let record: CompiledRule['record'];
  if (rule.instrument === 'histogram') {
    const histogram: Histogram = meter.createHistogram(rule.name, options);
    record = (value, attributes, ctx) => histogram.record(value, attributes, ctx);
  } else {
    const counter: Counter = meter.createCounter(rule.name, options);
    record = (value, attributes, ctx) => {
      // A counter only goes up: negative values are not recorded.
      if (value >= 0) counter.add(value, attributes, ctx);
    };
  }
  return {
    matches: compileRouteRule({ include: rule.match }, undefined),
    attribute: rule.attribute,
    dimensions: rule.dimensions ?? [],
    record,
  };
}
