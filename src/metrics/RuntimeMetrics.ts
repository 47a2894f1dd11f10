import type {
  Attributes,
  BatchObservableCallback,
  Meter,
  MeterProvider,
  MetricOptions,
} from '@opentelemetry/api';
import { HostMetrics } from '@opentelemetry/host-metrics';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { reportOnce } from '../internal/reportOnce.js';

/**
 * Units semconv gives the `process.*` metrics that `@opentelemetry/host-metrics`
 * 0.39 creates without one (semconv registry, process metrics).
 */
const SEMCONV_UNITS: Readonly<Record<string, string>> = {
  'process.memory.usage': 'By',
  'process.cpu.utilization': '1',
};

/**
 * host-metrics 0.39 still writes `process.cpu.state`, which semconv deprecated
 * ("Replaced by `cpu.mode`"); the current name is written instead.
 */
const RENAMED_ATTRIBUTES: Readonly<Record<string, string>> = { 'process.cpu.state': 'cpu.mode' };

function withUnit(name: string, options: MetricOptions | undefined): MetricOptions | undefined {
  const unit = SEMCONV_UNITS[name];
  return unit === undefined || options?.unit ? options : { ...options, unit };
}

function renamed(attributes: Attributes | undefined): Attributes | undefined {
  if (!attributes) return attributes;
  let out: Attributes | undefined;
  for (const [from, to] of Object.entries(RENAMED_ATTRIBUTES)) {
    if (!(from in attributes)) continue;
    out ??= { ...attributes };
    out[to] = out[from];
    delete out[from];
  }
  return out ?? attributes;
}

/**
 * A Meter that fills in the semconv unit of the instruments in
 * {@link SEMCONV_UNITS} and renames deprecated attributes of batch
 * observations; everything else is passed through.
 */
function semconvMeter(meter: Meter): Meter {
  const wrapped = new Map<BatchObservableCallback, BatchObservableCallback>();
  return {
    createGauge: (name, options) => meter.createGauge(name, withUnit(name, options)),
    createHistogram: (name, options) => meter.createHistogram(name, withUnit(name, options)),
    createCounter: (name, options) => meter.createCounter(name, withUnit(name, options)),
    createUpDownCounter: (name, options) =>
      meter.createUpDownCounter(name, withUnit(name, options)),
    createObservableGauge: (name, options) =>
      meter.createObservableGauge(name, withUnit(name, options)),
    createObservableCounter: (name, options) =>
      meter.createObservableCounter(name, withUnit(name, options)),
    createObservableUpDownCounter: (name, options) =>
      meter.createObservableUpDownCounter(name, withUnit(name, options)),
    addBatchObservableCallback: (callback, observables) => {
      const inner: BatchObservableCallback = (result) =>
        callback({
          observe: (observable, value, attributes) =>
            result.observe(observable, value, renamed(attributes)),
        });
      wrapped.set(callback, inner);
      meter.addBatchObservableCallback(inner, observables);
    },
    removeBatchObservableCallback: (callback, observables) => {
      const inner = wrapped.get(callback);
      if (!inner) return;
      wrapped.delete(callback);
      meter.removeBatchObservableCallback(inner, observables);
    },
  };
}

/**
 * Starts recording the process's runtime metrics on `meterProvider`, through
 * the OpenTelemetry libraries:
 * - `@opentelemetry/instrumentation-runtime-node` (0.37, for the 3.x SDK):
 *   `nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99}` (s),
 *   `nodejs.eventloop.utilization` (1), `nodejs.eventloop.time` (s, by
 *   `nodejs.eventloop.state`), `v8js.gc.duration` (s, histogram by
 *   `v8js.gc.type`), `v8js.memory.heap.used`,
 *   `v8js.memory.heap.space.{available_size,physical_size}` (By, by
 *   `v8js.heap.space.name`) and `v8js.resource.active`;
 * - `@opentelemetry/host-metrics` (0.39; its groups `process.cpu` and
 *   `process.memory` only): `process.cpu.time` (s, by `cpu.mode`),
 *   `process.cpu.utilization` (1, by `cpu.mode`) and `process.memory.usage`
 *   (By, the resident set size). host-metrics 0.39 leaves the last two
 *   without a unit and writes the deprecated `process.cpu.state`; both are
 *   corrected to semconv here.
 *
 * The instruments live as long as the MeterProvider; the returned function
 * stops the runtime instrumentation's own monitors (event loop delay, GC
 * observer). Never throws: a library that fails to start is reported once
 * through diag and the others go on.
 *
 * @returns a function that stops what can be stopped; idempotent.
 */
export function startRuntimeMetrics(meterProvider: MeterProvider): () => void {
  const provider: MeterProvider = {
    getMeter: (name, version, options) =>
      semconvMeter(meterProvider.getMeter(name, version, options)),
  };
  let runtime: RuntimeNodeInstrumentation | undefined;
  try {
    // Disabled at construction so it never binds to the global MeterProvider.
    runtime = new RuntimeNodeInstrumentation({ enabled: false });
    runtime.setMeterProvider(provider);
    runtime.enable();
  } catch (error) {
    reportOnce(
      'runtime-metrics:runtime-node',
      'the Node.js runtime metrics could not start',
      error,
    );
  }
  try {
    new HostMetrics({
      meterProvider: provider,
      name: 'otel-logkit',
      metricGroups: ['process.cpu', 'process.memory'],
    }).start();
  } catch (error) {
    reportOnce('runtime-metrics:host', 'the process CPU and memory metrics could not start', error);
  }
  return () => {
    const r = runtime;
    runtime = undefined;
    try {
      r?.disable();
    } catch (error) {
      reportOnce('runtime-metrics:stop', 'the Node.js runtime metrics could not stop', error);
    }
  };
}
