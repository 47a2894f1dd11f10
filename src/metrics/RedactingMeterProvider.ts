import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Context,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableResult,
  UpDownCounter,
} from '@opentelemetry/api';
import { setOwn } from '../internal/objects.js';
import { reportOnce } from '../internal/reportOnce.js';
import { UNREDACTABLE } from '../processors/redaction/outputRedaction.js';
import type { ResolvedRedactionOptions } from '../processors/redaction/RedactionOptions.js';
import { Redactor } from '../processors/redaction/Redactor.js';

/** What {@link AttributeRedaction.redact} returns for a measurement to drop. */
const DROP = Symbol('drop');

/**
 * The attribute redaction of one MeterProvider: the values of a
 * measurement's attributes with the `redaction` rules (under a secret key
 * whole, else what the value patterns find), the same map when clean.
 */
class AttributeRedaction {
  private readonly redactor: Redactor;

  constructor(options: ResolvedRedactionOptions) {
    this.redactor = new Redactor(options);
  }

  /**
   * `attributes` redacted; a value the redactor gives up on becomes
   * `[REDACTED: value could not be redacted]`. {@link DROP} (reported once)
   * when the map cannot be read at all. Never throws.
   */
  redact<A extends Attributes>(attributes: A | undefined): A | undefined | typeof DROP {
    if (attributes === undefined || attributes === null) return attributes;
    try {
      const redactor = this.redactor;
      redactor.begin();
      let out: Attributes | undefined;
      for (const key of Object.keys(attributes)) {
        const value = attributes[key];
        let next: unknown;
        try {
          next = redactor.redactAttribute(key, value);
        } catch (error) {
          reportOnce(
            'metric-redaction',
            'a metric attribute could not be redacted; it was replaced',
            error,
          );
          next = UNREDACTABLE;
        }
        if (next !== value) {
          out ??= { ...attributes };
          setOwn(out, key, next);
        }
      }
      return (out as A | undefined) ?? attributes;
    } catch (error) {
      reportOnce(
        'metric-redaction',
        'the attributes of a measurement could not be read; it was dropped',
        error,
      );
      return DROP;
    }
  }
}

type Recording = Counter | UpDownCounter | Histogram | Gauge;

/** A synchronous instrument whose measurements' attributes are redacted first. */
class RedactingInstrument {
  constructor(
    private readonly inner: Recording,
    private readonly redaction: AttributeRedaction,
  ) {}

  add(value: number, attributes?: Attributes, context?: Context): void {
    const redacted = this.redaction.redact(attributes);
    if (redacted !== DROP) (this.inner as Counter).add(value, redacted, context);
  }

  record(value: number, attributes?: Attributes, context?: Context): void {
    const redacted = this.redaction.redact(attributes);
    if (redacted !== DROP) (this.inner as Histogram).record(value, redacted, context);
  }
}

/** An asynchronous instrument whose callbacks observe redacted attributes. */
class RedactingObservable implements Observable {
  /** The wrapper handed to the SDK for each of the caller's callbacks (to remove it again). */
  private readonly callbacks = new Map<ObservableCallback, ObservableCallback>();

  constructor(
    readonly inner: Observable,
    private readonly redaction: AttributeRedaction,
  ) {}

  addCallback(callback: ObservableCallback): void {
    if (typeof callback !== 'function') {
      this.inner.addCallback(callback);
      return;
    }
    let wrapped = this.callbacks.get(callback);
    if (wrapped === undefined) {
      const redaction = this.redaction;
      wrapped = (result: ObservableResult) =>
        callback({
          observe(value: number, attributes?: Attributes): void {
            const redacted = redaction.redact(attributes);
            if (redacted !== DROP) result.observe(value, redacted);
          },
        });
      this.callbacks.set(callback, wrapped);
    }
    this.inner.addCallback(wrapped);
  }

  removeCallback(callback: ObservableCallback): void {
    const wrapped = this.callbacks.get(callback);
    this.callbacks.delete(callback);
    this.inner.removeCallback(wrapped ?? callback);
  }
}

/** The SDK's instrument behind one of ours (a batch callback names the SDK's). */
function innerOf(observable: Observable): Observable {
  return observable instanceof RedactingObservable ? observable.inner : observable;
}

/** A Meter whose instruments redact the attributes of every measurement. */
class RedactingMeter implements Meter {
  private readonly batchCallbacks = new Map<BatchObservableCallback, BatchObservableCallback>();

  constructor(
    private readonly inner: Meter,
    private readonly redaction: AttributeRedaction,
  ) {}

  createCounter(name: string, options?: MetricOptions): Counter {
    return new RedactingInstrument(this.inner.createCounter(name, options), this.redaction);
  }

  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return new RedactingInstrument(this.inner.createUpDownCounter(name, options), this.redaction);
  }

  createHistogram(name: string, options?: MetricOptions): Histogram {
    return new RedactingInstrument(this.inner.createHistogram(name, options), this.redaction);
  }

  createGauge(name: string, options?: MetricOptions): Gauge {
    return new RedactingInstrument(this.inner.createGauge(name, options), this.redaction);
  }

  createObservableCounter(name: string, options?: MetricOptions): Observable {
    return new RedactingObservable(
      this.inner.createObservableCounter(name, options),
      this.redaction,
    );
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): Observable {
    return new RedactingObservable(
      this.inner.createObservableUpDownCounter(name, options),
      this.redaction,
    );
  }

  createObservableGauge(name: string, options?: MetricOptions): Observable {
    return new RedactingObservable(this.inner.createObservableGauge(name, options), this.redaction);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    let wrapped = this.batchCallbacks.get(callback);
    if (wrapped === undefined && typeof callback === 'function') {
      const redaction = this.redaction;
      wrapped = (result: BatchObservableResult) =>
        callback({
          observe(metric: Observable, value: number, attributes?: Attributes): void {
            const redacted = redaction.redact(attributes);
            if (redacted !== DROP) result.observe(innerOf(metric), value, redacted);
          },
        });
      this.batchCallbacks.set(callback, wrapped);
    }
    this.inner.addBatchObservableCallback(
      wrapped ?? callback,
      Array.isArray(observables) ? observables.map(innerOf) : observables,
    );
  }

  removeBatchObservableCallback(
    callback: BatchObservableCallback,
    observables: Observable[],
  ): void {
    const wrapped = this.batchCallbacks.get(callback);
    this.inner.removeBatchObservableCallback(
      wrapped ?? callback,
      Array.isArray(observables) ? observables.map(innerOf) : observables,
    );
  }
}

/**
 * `provider` with the attributes of every measurement redacted by the
 * `redaction` rules before the SDK sees them: for the MeterProvider
 * otel-logkit registers globally and hands out as `handle.meterProvider`, so
 * the metrics of your own code and of other instrumentations are scrubbed as
 * its logs and spans are (a metric attribute is a series label in
 * Prometheus and every backend). Synchronous instruments redact at `add` /
 * `record`, asynchronous ones at `observe` in their callbacks (batch
 * callbacks too). Metric names, descriptions and units are not redacted
 * (they are code, not data). A value the redactor gives up on becomes
 * `[REDACTED: value could not be redacted]`; nothing throws into the caller
 * that the SDK would not throw itself.
 */
export function redactingMeterProvider(
  provider: MeterProvider,
  options: ResolvedRedactionOptions,
): MeterProvider {
  const redaction = new AttributeRedaction(options);
  return {
    getMeter: (name: string, version?: string, meterOptions?: MeterOptions): Meter =>
      new RedactingMeter(provider.getMeter(name, version, meterOptions), redaction),
  };
}
