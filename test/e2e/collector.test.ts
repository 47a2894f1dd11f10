// End-to-end: the real OpenTelemetry Collector, built from
// collector/builder-config.yaml by scripts/stack/collector.sh, with the real
// collector-config.yaml. Everything listens on free loopback ports; every
// process started here is stopped in afterAll.
//
// The Collector cannot drop exporters from a pipeline through environment
// variables, and starting the elasticsearch/otlp(Jaeger) exporters against
// ports where nothing listens would only test retries. So the running test
// uses collector-config.yaml UNCHANGED plus a small override file passed as a
// second `--config` (the Collector merges maps, and lists replace lists): the
// override only re-points the pipelines' exporter lists to the real config's
// `file/logs` exporter plus test-only file exporters for spans and metrics.
// Receivers, processors, extensions and the file exporter are the real ones.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCollector,
  collectorEnv,
  collectorPrerequisiteMissing,
  COLLECTOR_BINARY as BINARY,
  COLLECTOR_CONFIG as CONFIG,
  freePort,
  IN_CI,
  run,
  startCollector,
  waitFor,
  type Collector,
} from '../helpers/collector.js';
import { readLogFiles, type FileRecord } from '../helpers/readLogFiles.js';
import type { ProcessRun } from '../helpers/runProcess.js';

const missing = collectorPrerequisiteMissing();
if (missing && !IN_CI) console.warn(`[e2e] skipping the Collector tests: ${missing}`);

type Json = Record<string, unknown>;

/** Every JSON line of the files in `dir` whose names match `pattern`. */
function jsonLines(dir: string, pattern: RegExp): Json[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Json),
    );
}

function spansIn(dir: string): Array<{ traceId: string; spanId: string; name: string }> {
  return jsonLines(dir, /^traces.*\.jsonl$/).flatMap((req) =>
    (req.resourceSpans as Json[]).flatMap((rs) =>
      (rs.scopeSpans as Json[]).flatMap(
        (ss) => ss.spans as Array<{ traceId: string; spanId: string; name: string }>,
      ),
    ),
  );
}

function metricNamesIn(dir: string): Set<string> {
  return new Set(
    jsonLines(dir, /^metrics.*\.jsonl$/).flatMap((req) =>
      (req.resourceMetrics as Json[]).flatMap((rm) =>
        (rm.scopeMetrics as Json[]).flatMap((sm) =>
          (sm.metrics as Array<{ name: string }>).map((m) => m.name),
        ),
      ),
    ),
  );
}

/** A comparable identity of a record: what must survive the trip unchanged. */
function key(r: FileRecord): string {
  return JSON.stringify([
    r.resource['service.name'],
    r.scope,
    r.severityText,
    r.traceId ?? '',
    r.spanId ?? '',
    r.body,
    r.attributes['request.id'] ?? '',
    r.attributes['logkit.category'] ?? '',
  ]);
}

const tmpRoots: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpRoots.push(dir);
  return dir;
}

describe.skipIf(Boolean(missing) && !IN_CI)('the real OpenTelemetry Collector', () => {
  const running: Collector[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`[e2e] required in CI: ${missing}`);
    await buildCollector();
  });

  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    for (const dir of tmpRoots) rmSync(dir, { recursive: true, force: true });
  });

  describe('validate', () => {
    it('should accept collector-config.yaml', async () => {
      const env = await collectorEnv(tempDir('logkit-e2e-validate-'));
      const res = await run(BINARY, ['validate', '--config', CONFIG], env, 60_000);
      expect(res.code, res.stderr).toBe(0);
    });

    it('should accept collector-config.yaml with its defaults (no variables set)', async () => {
      const env = Object.fromEntries(
        Object.keys(process.env)
          .filter((k) => k.startsWith('LOGKIT_'))
          .map((k) => [k, '']),
      );
      const res = await run(BINARY, ['validate', '--config', CONFIG], env, 60_000);
      expect(res.code, res.stderr).toBe(0);
    });

    it('should accept the agent and gateway configs of the two-tier topology, and the backfill config', async () => {
      const dir = tempDir('logkit-e2e-gateway-');
      const env = {
        ...(await collectorEnv(path.join(dir, 'collector'))),
        LOGKIT_AGENT_DATA_DIR: path.join(dir, 'agent'),
        LOGKIT_GATEWAY_DATA_DIR: path.join(dir, 'gateway'),
        LOGKIT_BACKFILL_DATA_DIR: path.join(dir, 'backfill'),
      };
      for (const file of [
        'collector/gateway/agent.yaml',
        'collector/gateway/gateway.yaml',
        'collector/backfill.yaml',
      ]) {
        const res = await run(BINARY, ['validate', '--config', file], env, 60_000);
        expect(res.code, `${file}: ${res.stderr}`).toBe(0);
      }
    });

    it('should reject a broken config (validate really validates)', async () => {
      const dir = tempDir('logkit-e2e-broken-');
      const broken = path.join(dir, 'broken.yaml');
      writeFileSync(
        broken,
        readFileSync(CONFIG, 'utf8').replace('exporters: [file/logs, debug]', 'exporters: [nope]'),
      );
      const res = await run(
        BINARY,
        ['validate', '--config', broken],
        await collectorEnv(dir),
        60_000,
      );
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('nope');
    });
  });

  describe('the demo exporting to the Collector', () => {
    let env: Record<string, string>;
    let dataDir: string;
    let signalsDir: string;
    let demoDir: string;
    let demo: ProcessRun;
    let secrets: ProcessRun;
    let arrived: FileRecord[];
    let emitted: FileRecord[];

    beforeAll(async () => {
      const root = tempDir('logkit-e2e-run-');
      dataDir = path.join(root, 'collector');
      signalsDir = path.join(root, 'signals');
      demoDir = path.join(root, 'demo');
      mkdirSync(signalsDir);
      mkdirSync(demoDir);
      env = await collectorEnv(dataDir);
      const override = path.join(root, 'test-override.yaml');
      writeFileSync(
        override,
        [
          'exporters:',
          '  file/test-traces:',
          `    path: ${JSON.stringify(path.join(signalsDir, 'traces.jsonl'))}`,
          '    flush_interval: 100ms',
          '  file/test-metrics:',
          `    path: ${JSON.stringify(path.join(signalsDir, 'metrics.jsonl'))}`,
          '    flush_interval: 100ms',
          'service:',
          '  pipelines:',
          '    logs/elasticsearch:',
          '      exporters: [debug]',
          '    metrics:',
          '      exporters: [file/test-metrics, prometheus]',
          '    traces:',
          '      exporters: [file/test-traces]',
          '',
        ].join('\n'),
      );
      const collector = await startCollector([CONFIG, override], env, env.LOGKIT_HEALTH_ENDPOINT!);
      running.push(collector);
      const endpoint = `http://${env.LOGKIT_OTLP_HTTP_ENDPOINT}`;

      // The demo exports over OTLP AND writes its own files: those files are
      // what it emitted, to compare with what reached the Collector.
      demo = await run(
        process.execPath,
        ['examples/demo/run.mjs'],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_LOGS_EXPORTER: 'otlp,file',
          OTEL_LOGKIT_LOG_DIR: demoDir,
          // No deployment.environment.name from NODE_ENV (vitest sets "test"):
          // the Collector's resource processor inserts it.
          NODE_ENV: '',
        },
        60_000,
      );
      // Secrets logged through registerLogging inside a span. They come in
      // through the environment: on the command line they would travel in the
      // process.command_args resource attribute, which redaction does not cover.
      secrets = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `
          import { trace } from '@opentelemetry/api';
          import { registerLogging } from 'otel-logkit';
          const handle = registerLogging({ serviceName: 'e2e-secrets', traces: true });
          const log = handle.getLogger('e2e.secrets', { category: 'security' });
          await trace.getTracer('e2e').startActiveSpan('login', async (span) => {
            log.warn('login retried with Authorization: Bearer ' + process.env.E2E_TOKEN, {
              password: process.env.E2E_PASSWORD,
              'user.name': 'alice',
              'e2e.marker': 'secrets',
            });
            span.end();
          });
          await handle.shutdown();
          `,
        ],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_LOGKIT_LOG_DIR: demoDir,
          NODE_ENV: '',
          E2E_PASSWORD: 'hunter2-e2e-password',
          E2E_TOKEN: 'e2eTOKENabcdef0123456789xyz',
        },
        60_000,
      );

      emitted = readLogFiles(demoDir);
      const expected = emitted.length + 1; // + the secrets record
      // The batch processor (1s) and the file exporter (flush 1s) delay the writes.
      arrived = await waitFor(
        `${expected} records in the Collector's file`,
        () => {
          const records = readLogFiles(dataDir);
          return records.length >= expected ? records : undefined;
        },
        20_000,
      ).catch(() => readLogFiles(dataDir));
      // Settle: nothing more may arrive (no duplicates).
      await new Promise((r) => setTimeout(r, 1500));
      arrived = readLogFiles(dataDir);
    }, 180_000);

    it('should run the demo and the secrets script cleanly', () => {
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toContain('20 requests: 19 ok, 1 failed');
      expect(secrets.code, secrets.stderr).toBe(0);
    });

    it("should hold every record the demo emitted in the Collector's file exporter output, once", () => {
      // What the demo emitted: 20 requests × 6 records + 3 no-hit warnings
      // carry request.id (123), 20 access records, 1 system_health record.
      expect(emitted.filter((r) => r.attributes['request.id'])).toHaveLength(123);
      expect(emitted).toHaveLength(144);

      const fromDemo = arrived.filter((r) => r.resource['service.name'] === 'demo-checkout');
      expect(fromDemo).toHaveLength(emitted.length);
      expect(fromDemo.filter((r) => r.attributes['request.id'])).toHaveLength(123);
      expect(fromDemo.map(key).sort()).toEqual(emitted.map(key).sort());
      // Only the demo's and the secrets script's records are there.
      expect(arrived).toHaveLength(emitted.length + 1);
      // The real config's resource processor ran.
      expect(emitted.every((r) => r.resource['deployment.environment.name'] === undefined)).toBe(
        true,
      );
      expect(arrived.every((r) => r.resource['deployment.environment.name'] === 'local')).toBe(
        true,
      );
    });

    it('should keep the trace and span ids of the spans the records were emitted in', () => {
      const fromDemo = arrived.filter((r) => r.resource['service.name'] === 'demo-checkout');
      const requestRecords = fromDemo.filter((r) => r.attributes['request.id']);
      for (const r of requestRecords) {
        expect(r.traceId, String(r.body)).toMatch(/^[0-9a-f]{32}$/);
        expect(r.spanId, String(r.body)).toMatch(/^[0-9a-f]{16}$/);
      }
      // The spans reached the Collector too: every record's span is one of them.
      const spans = spansIn(signalsDir);
      const spanIds = new Set(spans.map((s) => `${s.traceId}/${s.spanId}`));
      for (const r of fromDemo.filter((x) => x.traceId)) {
        expect(spanIds.has(`${r.traceId}/${r.spanId}`), String(r.body)).toBe(true);
      }
      expect(new Set(requestRecords.map((r) => r.traceId)).size).toBe(20);
      // And the log-derived metrics.
      const names = metricNamesIn(signalsDir);
      expect(names).toContain('log.record.count');
      expect(names).toContain('http.server.request.duration');
    });

    it('should serve the metrics to Prometheus with resource attributes as labels', async () => {
      const text = await (await fetch(`http://${env.LOGKIT_PROMETHEUS_ENDPOINT}/metrics`)).text();
      const series = text.split('\n').filter((l) => /^log_record_count\w*\{/.test(l));
      expect(series.length, text.slice(0, 2000)).toBeGreaterThan(0);
      const demoSeries = series.filter((l) => l.includes('service_name="demo-checkout"'));
      expect(demoSeries.length).toBeGreaterThan(0);
      for (const line of demoSeries) {
        expect(line).toContain('deployment_environment_name="local"');
        expect(line).toContain('service_version="1.0.0"');
        // resource/prometheus dropped the per-process attributes.
        expect(line).not.toContain('process_pid=');
        expect(line).not.toContain('process_command_args=');
      }
      expect(text).toMatch(/^gen_ai_client_token_usage\w*\{/m);
    });

    it('should carry the redaction applied in the application', () => {
      const raw = readdirSync(dataDir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => readFileSync(path.join(dataDir, f), 'utf8'))
        .join('\n');
      expect(raw).not.toContain('hunter2-e2e-password');
      expect(raw).not.toContain('e2eTOKENabcdef0123456789xyz');
      const record = arrived.find((r) => r.attributes['e2e.marker'] === 'secrets');
      expect(record).toBeDefined();
      expect(record!.attributes.password).toBe('[REDACTED]');
      expect(String(record!.body)).toContain('[REDACTED]');
      expect(record!.attributes['user.name']).toBe('alice');
      expect(record!.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(record!.spanId).toMatch(/^[0-9a-f]{16}$/);
    });

    it("should have the otlpjsonfile receiver read otel-logkit's own files without loss", async () => {
      // Format interoperability: the demo's embedded file exporter output →
      // the Collector's otlpjsonfile receiver → its file exporter.
      const root = tempDir('logkit-e2e-jsonfile-');
      const out = path.join(root, 'out');
      const [health, telemetry] = await Promise.all([freePort(), freePort()]);
      const config = path.join(root, 'jsonfile.yaml');
      writeFileSync(
        config,
        [
          'extensions:',
          '  health_check:',
          `    endpoint: 127.0.0.1:${health}`,
          'receivers:',
          '  otlpjsonfile:',
          `    include: [${JSON.stringify(path.join(demoDir, '*.jsonl'))}]`,
          '    start_at: beginning',
          // The file consumer identifies a file by its first bytes (1 KiB by
          // default). otel-logkit's per-category files all start with the same
          // resource JSON, longer than that: with the default, the receiver
          // takes them for one file and reads only the first (20 of 144).
          '    fingerprint_size: 64KiB',
          // One line is one export batch: allow more than the 1 MiB default.
          '    max_log_size: 16MiB',
          'exporters:',
          '  file:',
          `    path: ${JSON.stringify(path.join(out, 'logs.jsonl'))}`,
          '    create_directory: true',
          '    flush_interval: 100ms',
          'service:',
          '  extensions: [health_check]',
          '  pipelines:',
          '    logs:',
          '      receivers: [otlpjsonfile]',
          '      exporters: [file]',
          '  telemetry:',
          '    metrics:',
          '      readers:',
          '        - pull:',
          '            exporter:',
          `              prometheus: { host: 127.0.0.1, port: ${telemetry} }`,
          '',
        ].join('\n'),
      );
      const collector = await startCollector([config], {}, `127.0.0.1:${health}`);
      running.push(collector);
      try {
        // Everything in demoDir: the demo's records (the secrets script exported
        // over OTLP only).
        const expectedKeys = readLogFiles(demoDir).map(key).sort();
        expect(expectedKeys).toHaveLength(emitted.length);
        const read = await waitFor(
          `${expectedKeys.length} records read back`,
          () => {
            try {
              const records = readLogFiles(out);
              return records.length >= expectedKeys.length ? records : undefined;
            } catch {
              return undefined; // not created yet
            }
          },
          30_000,
        );
        await new Promise((r) => setTimeout(r, 1000));
        expect(readLogFiles(out).map(key).sort()).toEqual(expectedKeys);
        expect(read.length).toBe(expectedKeys.length);
      } finally {
        await collector.stop();
      }
    });
  });
});
