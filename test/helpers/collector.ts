// The real OpenTelemetry Collector for the end-to-end tests: built from
// collector/builder-config.yaml by scripts/stack/collector.sh and run on free
// loopback ports with collector-config.yaml.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { runProcess, type ProcessRun } from './runProcess.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const COLLECTOR_BINARY = path.join(ROOT, '.cache/stack/otelcol/otelcol-logkit');
export const COLLECTOR_CONFIG = path.join(ROOT, 'collector-config.yaml');
export const IN_CI = Boolean(process.env.CI);

/** Why the Collector cannot be built or run here, or undefined when it can. */
export function collectorPrerequisiteMissing(): string | undefined {
  // A binary built earlier (manifest unchanged) needs no Go; the script checks.
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return undefined;
  const built = spawnSync('bash', ['-c', 'test -x "$0"', COLLECTOR_BINARY]).status === 0;
  if (built) return undefined;
  return (
    'Go (>= 1.25) is not on PATH, and the Collector is built from its Go modules. ' +
    'Install Go from https://go.dev/dl/ and run `bash scripts/stack/collector.sh`.'
  );
}

/** Builds the Collector when its manifest changed (or copies the machine's cached build). */
export async function buildCollector(): Promise<void> {
  const started = Date.now();
  const build = await run('bash', ['scripts/stack/collector.sh'], {}, 40 * 60_000);
  if (build.code !== 0) {
    throw new Error(`scripts/stack/collector.sh failed:\n${build.stderr.slice(-4000)}`);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  if (seconds > 5) console.log(`[e2e] Collector build took ${seconds}s`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `cmd` in the repository root with `env` over the test's environment. */
export function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ProcessRun> {
  return runProcess(cmd, args, { cwd: ROOT, env, timeoutMs });
}

/**
 * Environment for collector-config.yaml: `dataDir` for the file exporter and
 * the queues, free loopback ports for everything it listens on or sends to.
 */
export async function collectorEnv(dataDir: string): Promise<Record<string, string>> {
  const [grpc, http, health, prom, jaeger, es, telemetry] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  return {
    LOGKIT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
    LOGKIT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
    LOGKIT_HEALTH_ENDPOINT: `127.0.0.1:${health}`,
    LOGKIT_COLLECTOR_DATA_DIR: dataDir,
    LOGKIT_PROMETHEUS_ENDPOINT: `127.0.0.1:${prom}`,
    LOGKIT_JAEGER_OTLP_ENDPOINT: `127.0.0.1:${jaeger}`,
    LOGKIT_ELASTICSEARCH_ENDPOINT: `http://127.0.0.1:${es}`,
    LOGKIT_COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
    LOGKIT_COLLECTOR_TELEMETRY_PORT: String(telemetry),
  };
}

/**
 * Polls `probe` every 250 ms until it returns a value other than undefined;
 * throws after `timeoutMs`, with the probe's last error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** A running Collector; stop() ends it (SIGTERM, then SIGKILL) and resolves on exit. */
export interface Collector {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the Collector with `configs` and resolves once its health check answers. */
export async function startCollector(
  configs: string[],
  env: Record<string, string>,
  healthEndpoint: string,
): Promise<Collector> {
  const child = spawn(
    COLLECTOR_BINARY,
    configs.flatMap((c) => ['--config', c]),
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const collector: Collector = {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(
      'the Collector health check',
      async () => {
        if (child.exitCode !== null) throw new Error(`the Collector exited:\n${output}`);
        const res = await fetch(`http://${healthEndpoint}/`);
        return res.status === 200 ? true : undefined;
      },
      30_000,
    );
  } catch (err) {
    await collector.stop();
    throw new Error(`${String(err)}\n--- collector output ---\n${output}`, { cause: err });
  }
  return collector;
}
