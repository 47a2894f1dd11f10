import { cpus } from 'node:os';

/**
 * The process CPU and memory readings that both the `process.*` metrics of
 * `@opentelemetry/host-metrics` and the performance helper's
 * `logkit.performance.memory_mb` / `cpu_percent` are computed from, so that
 * the two never disagree: `process.memoryUsage.rss()` for memory (what
 * host-metrics reports as `process.memory.usage`) and `process.cpuUsage()`
 * over wall time and the CPU count of `os.cpus()` for CPU (semconv
 * `process.cpu.utilization`: "difference in process.cpu.time since the last
 * measurement, divided by the elapsed time and number of CPUs available to
 * the process", computed as host-metrics computes it).
 */

/** The process's resident set size, bytes (semconv `process.memory.usage`). */
export function processMemoryBytes(): number {
  return process.memoryUsage.rss();
}

/** The CPU count host-metrics divides by; read once, as it does. */
const CPU_COUNT = Math.max(1, cpus().length);

/** A point to measure CPU utilisation from. */
export interface CpuMark {
  /** `process.cpuUsage()` at the mark, µs. */
  readonly usage: NodeJS.CpuUsage;
  /** `performance.now()` at the mark, ms. */
  readonly at: number;
}

/** Marks the start of a CPU measurement. */
export function cpuMark(): CpuMark {
  return { usage: process.cpuUsage(), at: performance.now() };
}

/**
 * Process CPU utilisation since `mark`, 0–1 (user + system CPU time over
 * elapsed time × CPUs, as semconv `process.cpu.utilization`); 0 when no time
 * passed.
 */
export function processCpuUtilization(mark: CpuMark): number {
  const elapsedMicros = (performance.now() - mark.at) * 1000;
  if (!(elapsedMicros > 0)) return 0;
  const used = process.cpuUsage(mark.usage);
  // Clamped: the kernel accounts CPU time in ticks, so over a window of a few
  // ms the difference can exceed the wall time (the demo showed 248 % over
  // 1.2 ms); a utilisation past 1 is a measurement artefact, not a reading.
  return Math.min(1, (used.user + used.system) / (elapsedMicros * CPU_COUNT));
}
