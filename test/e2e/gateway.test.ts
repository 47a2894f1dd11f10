// End-to-end: the two-tier topology of collector/gateway/, run with the real Collector binary.
// One agent (collector/gateway/agent.yaml) and two gateways (collector/gateway/gateway.yaml) on
// free loopback ports; the app sends to the agent, whose loadbalancing exporter routes every
// span and every log record by trace id to one of the gateways.
//
// Both configs run UNCHANGED plus a small override file each (a second `--config`; the
// Collector merges maps, lists replace lists):
// - the agent's resolver is `static` with the two gateways' endpoints instead of `dns` (both
//   gateways listen on 127.0.0.1, on different ports; the DNS resolver has one port for all);
// - the gateways write their spans to a test-only file exporter instead of Jaeger, and their
//   `logs/elasticsearch` pipeline goes to `debug` (no Elasticsearch here: stack.test.ts runs
//   that exporter against a real one). Their logs go to the real config's `file/logs`.
// Everything started here is stopped in afterAll.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCollector,
  collectorPrerequisiteMissing,
  freePort,
  IN_CI,
  ROOT,
  run,
  startCollector,
  waitFor,
  type Collector,
} from '../helpers/collector.js';
import { readLogFiles, type FileRecord } from '../helpers/readLogFiles.js';
import { runProcess, type ProcessRun } from '../helpers/runProcess.js';

const AGENT_CONFIG = path.join(ROOT, 'collector/gateway/agent.yaml');
const GATEWAY_CONFIG = path.join(ROOT, 'collector/gateway/gateway.yaml');

const missing = collectorPrerequisiteMissing();
if (missing && !IN_CI) console.warn(`[e2e] skipping the gateway tier tests: ${missing}`);

interface Span {
  traceId: string;
  spanId: string;
  name: string;
}

/** A span as a gateway wrote it, with the gateway's name. */
interface GatewaySpan extends Span {
  gateway: string;
}

/** A log record as a gateway wrote it, with the gateway's name. */
interface GatewayRecord extends FileRecord {
  gateway: string;
}

/** The spans in the OTLP JSON lines of the test's trace file exporter in `dir`. */
function spansIn(dir: string): Span[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^traces.*\.jsonl$/.test(f));
  } catch {
    return [];
  }
  type Json = Record<string, unknown>;
  return files.flatMap((f) =>
    readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) =>
        ((JSON.parse(line) as Json).resourceSpans as Json[]).flatMap((rs) =>
          (rs.scopeSpans as Json[]).flatMap((ss) => ss.spans as Span[]),
        ),
      ),
  );
}

/** What identifies a record emitted by the app, in the app's own file and in a gateway's. */
function recordKey(r: FileRecord): string {
  return JSON.stringify([
    r.resource['service.instance.id'],
    r.scope,
    r.severityText ?? '',
    r.traceId ?? '',
    r.spanId ?? '',
    r.eventName ?? '',
    r.body,
    r.attributes['e2e.seq'] ?? '',
  ]);
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

/** The keys that occur more than once. */
function duplicates<T>(items: T[], keyOf: (item: T) => string): string[] {
  return [...countBy(items, keyOf)].filter(([, n]) => n > 1).map(([k]) => k);
}

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'logkit-e2e-gateway-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A gateway of the pool: its ports and data folder are kept across a stop and a start. */
class Gateway {
  collector: Collector | undefined;
  constructor(
    readonly name: string,
    readonly dir: string,
    readonly env: Record<string, string>,
    readonly override: string,
  ) {}

  static async create(name: string): Promise<Gateway> {
    const dir = path.join(tmpRoot, name);
    mkdirSync(dir, { recursive: true });
    const [grpc, http, health, prom, telemetry, jaeger, es] = await Promise.all(
      Array.from({ length: 7 }, () => freePort()),
    );
    const env = {
      LOGKIT_GATEWAY_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
      LOGKIT_GATEWAY_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
      LOGKIT_GATEWAY_HEALTH_ENDPOINT: `127.0.0.1:${health}`,
      LOGKIT_GATEWAY_DATA_DIR: dir,
      LOGKIT_GATEWAY_TELEMETRY_PORT: String(telemetry),
      LOGKIT_COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
      LOGKIT_PROMETHEUS_ENDPOINT: `127.0.0.1:${prom}`,
      // Not used by the pipelines the override leaves in place; set off the defaults anyway.
      LOGKIT_JAEGER_OTLP_ENDPOINT: `127.0.0.1:${jaeger}`,
      LOGKIT_ELASTICSEARCH_ENDPOINT: `http://127.0.0.1:${es}`,
    };
    const override = path.join(tmpRoot, `${name}-override.yaml`);
    writeFileSync(
      override,
      [
        'exporters:',
        '  file/test-traces:',
        `    path: ${JSON.stringify(path.join(dir, 'test-traces', 'traces.jsonl'))}`,
        '    create_directory: true',
        '    flush_interval: 100ms',
        'service:',
        '  pipelines:',
        '    logs/elasticsearch:',
        '      exporters: [debug]',
        '    traces:',
        '      exporters: [file/test-traces]',
        '',
      ].join('\n'),
    );
    return new Gateway(name, dir, env, override);
  }

  get otlpEndpoint(): string {
    return this.env.LOGKIT_GATEWAY_OTLP_GRPC_ENDPOINT!;
  }

  async start(): Promise<void> {
    this.collector = await startCollector(
      [GATEWAY_CONFIG, this.override],
      this.env,
      this.env.LOGKIT_GATEWAY_HEALTH_ENDPOINT!,
    );
  }

  async stop(): Promise<void> {
    await this.collector?.stop();
  }

  records(): GatewayRecord[] {
    return readLogFiles(this.dir).map((r) => ({ ...r, gateway: this.name }));
  }

  /** How often `marker` occurs in the log files: a cheap count of a run's records. */
  countOf(marker: string): number {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .reduce(
        (n, f) => n + readFileSync(path.join(this.dir, f), 'utf8').split(marker).length - 1,
        0,
      );
  }

  spans(): GatewaySpan[] {
    return spansIn(path.join(this.dir, 'test-traces')).map((s) => ({ ...s, gateway: this.name }));
  }
}

/**
 * An app that logs through registerLogging to `endpoint` (OTLP/HTTP): `traces` traces, each one
 * span holding `perTrace` records (attributes `e2e.run`, `e2e.seq`, `e2e.t` = ms since the epoch
 * at the call), with `pauseMs` between traces. It prints one JSON line: its trace ids, its
 * emit start and end (ms since the epoch), and handle.stats().
 */
function runApp(
  endpoint: string,
  runId: string,
  { traces, perTrace, pauseMs }: { traces: number; perTrace: number; pauseMs: number },
): Promise<ProcessRun> {
  return runProcess(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
      import { trace } from '@opentelemetry/api';
      import { registerLogging } from 'otel-logkit';
      const handle = registerLogging({ serviceName: 'e2e-gateway', traces: true });
      const log = handle.getLogger('e2e.gateway');
      const tracer = trace.getTracer('e2e');
      const traceIds = [];
      const start = Date.now();
      for (let t = 0; t < ${traces}; t++) {
        tracer.startActiveSpan('gateway request ' + t, (span) => {
          for (let i = 0; i < ${perTrace}; i++) {
            log.info('through the gateway tier', {
              'e2e.run': process.env.E2E_RUN,
              'e2e.seq': t * ${perTrace} + i,
              'e2e.t': Date.now(),
            });
          }
          traceIds.push(span.spanContext().traceId);
          span.end();
        });
        // Lets the batch processors export as they go.
        await new Promise((r) => setTimeout(r, ${pauseMs}));
      }
      const end = Date.now();
      await handle.shutdown();
      console.log(JSON.stringify({ traceIds, start, end, stats: handle.stats() }));
      `,
    ],
    {
      cwd: ROOT,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        E2E_RUN: runId,
        NODE_ENV: '',
        // The whole burst fits in the batch queue (the default, 2048, would drop records).
        OTEL_BLRP_MAX_QUEUE_SIZE: '200000',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '1000',
        OTEL_BSP_MAX_QUEUE_SIZE: '20000',
      },
      timeoutMs: 120_000,
    },
  );
}

interface AppResult {
  traceIds: string[];
  start: number;
  end: number;
  stats: { received: number; dropped: Record<string, number> };
}

function appResult(app: ProcessRun): AppResult {
  expect(app.code, app.stderr).toBe(0);
  return JSON.parse(app.stdout.trim().split('\n').at(-1)!) as AppResult;
}

describe.skipIf(Boolean(missing) && !IN_CI)(
  'the gateway tier: app → agent → loadbalancing by trace id → 2 gateways',
  () => {
    let agent: Collector | undefined;
    let agentEnv: Record<string, string>;
    let gateways: Gateway[] = [];
    const timings: Record<string, number> = {};

    const allRecords = () => gateways.flatMap((g) => g.records());
    const allSpans = () => gateways.flatMap((g) => g.spans());
    const agentEndpoint = () => `http://${agentEnv.LOGKIT_OTLP_HTTP_ENDPOINT!}`;

    /** `waitFor`, failing with the end of every Collector's output. */
    function waitWithLogs<T>(
      what: string,
      probe: () => T | undefined | Promise<T | undefined>,
      timeoutMs: number,
    ): Promise<T> {
      return waitFor(what, probe, timeoutMs).catch((err: unknown) => {
        const outputs = [
          `--- agent ---\n${agent?.output().slice(-4000) ?? ''}`,
          ...gateways.map((g) => `--- ${g.name} ---\n${g.collector?.output().slice(-3000) ?? ''}`),
        ];
        throw new Error(`${String(err)}\n${outputs.join('\n')}`, { cause: err });
      });
    }

    /** Each trace id → the gateways holding its records or spans. */
    function gatewaysByTrace(
      records: GatewayRecord[],
      spans: GatewaySpan[],
    ): Map<string, Set<string>> {
      const where = new Map<string, Set<string>>();
      const add = (traceId: string, gateway: string) => {
        if (!where.has(traceId)) where.set(traceId, new Set());
        where.get(traceId)!.add(gateway);
      };
      for (const r of records) if (r.traceId) add(r.traceId, r.gateway);
      for (const s of spans) add(s.traceId, s.gateway);
      return where;
    }

    let agentOverride: string;
    function startAgent(): Promise<Collector> {
      return startCollector(
        [AGENT_CONFIG, agentOverride],
        agentEnv,
        agentEnv.LOGKIT_HEALTH_ENDPOINT!,
      );
    }

    beforeAll(async () => {
      if (missing) throw new Error(`[e2e] required in CI: ${missing}`);
      await buildCollector();
      gateways = [await Gateway.create('gateway-a'), await Gateway.create('gateway-b')];
      let t0 = Date.now();
      await Promise.all(gateways.map((g) => g.start()));
      timings.gateways = Date.now() - t0;

      const [grpc, http, health, telemetry] = await Promise.all(
        Array.from({ length: 4 }, () => freePort()),
      );
      agentEnv = {
        LOGKIT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
        LOGKIT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
        LOGKIT_HEALTH_ENDPOINT: `127.0.0.1:${health}`,
        LOGKIT_AGENT_DATA_DIR: path.join(tmpRoot, 'agent'),
        LOGKIT_GATEWAY_OTLP_ENDPOINT: gateways[0]!.otlpEndpoint,
        LOGKIT_COLLECTOR_TELEMETRY_PORT: String(telemetry),
      };
      agentOverride = path.join(tmpRoot, 'agent-override.yaml');
      writeFileSync(
        agentOverride,
        [
          'exporters:',
          '  loadbalancing:',
          '    resolver:',
          '      dns: null',
          '      static:',
          `        hostnames: ${JSON.stringify(gateways.map((g) => g.otlpEndpoint))}`,
          '',
        ].join('\n'),
      );
      t0 = Date.now();
      agent = await startAgent();
      timings.agent = Date.now() - t0;
      console.log('[e2e gateway] start times (ms):', timings);
    });

    afterAll(async () => {
      await agent?.stop();
      await Promise.all(gateways.map((g) => g.stop()));
      rmSync(tmpRoot, { recursive: true, force: true });
    });

    it('delivers every record and span of the demo exactly once, each trace to one gateway', async () => {
      const demoDir = path.join(tmpRoot, 'demo');
      mkdirSync(demoDir);
      const demo = await run(
        process.execPath,
        ['examples/demo/run.mjs'],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: agentEndpoint(),
          OTEL_LOGS_EXPORTER: 'otlp,file',
          OTEL_LOGKIT_LOG_DIR: demoDir,
          NODE_ENV: '',
        },
        60_000,
      );
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toContain('20 requests: 19 ok, 1 failed');
      const emitted = readLogFiles(demoDir);
      expect(emitted).toHaveLength(144);
      const traceIds = new Set(emitted.flatMap((r) => (r.traceId ? [r.traceId] : [])));
      expect(traceIds.size).toBe(20);
      // The demo's spans: GET, chat, checkout.pricing, execute_tool in each trace.
      const expectedSpans = traceIds.size * 4;

      await waitWithLogs(
        `${emitted.length} records and ${expectedSpans} spans at the gateways`,
        () =>
          allRecords().length >= emitted.length && allSpans().length >= expectedSpans
            ? true
            : undefined,
        60_000,
      );
      // Settle, then read again: a late duplicate would show now.
      await sleep(3_000);
      const records = allRecords();
      const spans = allSpans();

      // Every record exactly once across the two gateways.
      expect(duplicates(records, recordKey)).toEqual([]);
      expect(records.map(recordKey).sort()).toEqual(emitted.map(recordKey).sort());
      // Every span exactly once; each record's span is among them.
      expect(duplicates(spans, (s) => `${s.traceId}/${s.spanId}`)).toEqual([]);
      expect(spans).toHaveLength(expectedSpans);
      expect(new Set(spans.map((s) => s.traceId))).toEqual(traceIds);
      const spanIds = new Set(spans.map((s) => s.spanId));
      for (const r of emitted.filter((x) => x.spanId)) expect(spanIds.has(r.spanId!)).toBe(true);

      // All records and spans of one trace on the same gateway; both gateways used.
      const where = gatewaysByTrace(records, spans);
      expect(where.size).toBe(traceIds.size);
      for (const [traceId, holders] of where) expect([...holders], traceId).toHaveLength(1);
      const perGateway = countBy([...where.values()], (h) => [...h][0]!);
      expect([...perGateway.keys()].sort()).toEqual(['gateway-a', 'gateway-b']);
      console.log('[e2e gateway] demo traces per gateway:', Object.fromEntries(perGateway));
    });

    it("holds a stopped gateway's share in the agent's persistent queue, across an agent restart, and delivers it after the gateway's restart", async () => {
      const runId = `outage-${Date.now()}`;
      const ofRun = (records: GatewayRecord[]) =>
        records.filter((r) => r.attributes['e2e.run'] === runId);
      const [gatewayA, gatewayB] = gateways as [Gateway, Gateway];
      const traces = 100;
      const perTrace = 10;
      const expected = traces * perTrace;

      // ~10 s of traffic; gateway B is stopped once it has received some of it.
      const app = runApp(agentEndpoint(), runId, { traces, perTrace, pauseMs: 100 });
      await waitWithLogs(
        'the first records of the run at gateway B',
        () => (ofRun(gatewayB.records()).length > 0 ? true : undefined),
        30_000,
      );
      await gatewayB.stop();
      const stoppedAt = Date.now();
      let restartAt = 0;
      try {
        const beforeOutage = ofRun(gatewayB.records()).length;
        const result = appResult(await app);
        expect(result.traceIds).toHaveLength(traces);
        expect(result.stats.received).toBe(expected);
        expect(Object.values(result.stats.dropped).every((n) => n === 0)).toBe(true);
        expect(result.end).toBeGreaterThan(stoppedAt); // B really stopped mid-run

        // Gateway A keeps receiving its share meanwhile.
        const atA = await waitWithLogs(
          'records of the run at gateway A after B stopped',
          () => {
            const n = ofRun(gatewayA.records()).filter(
              (r) => Number(r.attributes['e2e.t']) > stoppedAt,
            ).length;
            return n > 0 ? n : undefined;
          },
          30_000,
        );
        // The agent restarts while B is down: what it holds for B must be on disk.
        const agentStoppedAt = Date.now();
        await agent!.stop();
        agent = await startAgent();
        await sleep(5_000);
        restartAt = Date.now();
        await gatewayB.start();
        const outageMs = restartAt - stoppedAt;

        // The loadbalancing exporter retries at most every 30 s, for the logs and the traces
        // pipelines separately: wait for both (the spans can come a retry after the records).
        const runTraceIds = new Set(result.traceIds);
        await waitWithLogs(
          `the ${expected} records and ${traces} spans of the run at the gateways after the restart`,
          () =>
            new Set(ofRun(allRecords()).map((r) => r.attributes['e2e.seq'])).size >= expected &&
            new Set(
              allSpans()
                .filter((sp) => runTraceIds.has(sp.traceId))
                .map((sp) => sp.name),
            ).size >= traces
              ? true
              : undefined,
          90_000,
        );
        const deliveredAfter = Date.now() - restartAt;
        await sleep(3_000);
        const records = ofRun(allRecords());
        const runTraces = new Set(result.traceIds);
        const spans = allSpans().filter((s) => runTraces.has(s.traceId));

        // Nothing missing: every record and every span of the run.
        const seqs = [...new Set(records.map((r) => Number(r.attributes['e2e.seq'])))];
        expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: expected }, (_, i) => i));
        expect([...new Set(spans.map((s) => s.name))].sort()).toEqual(
          Array.from({ length: traces }, (_, t) => `gateway request ${t}`).sort(),
        );
        // Still one gateway per trace (the static ring never changed), duplicates included.
        for (const [traceId, holders] of gatewaysByTrace(records, spans)) {
          expect([...holders], traceId).toHaveLength(1);
        }
        // B received, after its restart, records emitted while it was down: the queue held them
        // across the agent's restart.
        const heldForB = records.filter(
          (r) => r.gateway === 'gateway-b' && Number(r.attributes['e2e.t']) > stoppedAt,
        );
        expect(heldForB.length).toBeGreaterThan(0);
        // At least once: a batch spanning both gateways is retried whole while B is down, so A
        // may receive some of its records again; B's own share arrives once.
        const duplicatedRecords = records.length - expected;
        const duplicatedSpans = spans.length - traces;
        const copies = countBy(records, recordKey);
        const repeated = records.filter((r) => copies.get(recordKey(r))! > 1);
        const repeatedWhen = countBy(repeated, (r) => {
          const t = Number(r.attributes['e2e.t']);
          const when =
            t < stoppedAt
              ? 'before B stopped'
              : t < agentStoppedAt
                ? 'B down'
                : 'after the agent restart';
          return `${r.gateway} ${when}`;
        });
        console.log(
          `[e2e gateway] outage: gateway B down ${outageMs} ms (the agent restarted meanwhile); ` +
            `${beforeOutage} records of the run at B before, ${atA} at A during the outage, ` +
            `${heldForB.length} emitted during the outage held for B and delivered ` +
            `${deliveredAfter} ms after B's restart; nothing missing of ${expected} records and ` +
            `${traces} spans; delivered again (at least once): ${duplicatedRecords} records, ` +
            `${duplicatedSpans} spans; copies ${JSON.stringify(Object.fromEntries(repeatedWhen))}`,
        );
      } finally {
        if (!restartAt) await gatewayB.start();
      }
    });

    it('measures records/s through the agent and the gateways', async () => {
      const runId = `throughput-${Date.now()}`;
      const traces = 1000;
      const perTrace = 100;
      const expected = traces * perTrace;
      const app = runApp(agentEndpoint(), runId, { traces, perTrace, pauseMs: 0 });
      const t0 = Date.now();
      const arrivedAt = await waitWithLogs(
        `the ${expected} records of the run at the gateways`,
        () => {
          // The run id occurs once per record (its e2e.run attribute).
          const count = gateways.reduce((n, g) => n + g.countOf(runId), 0);
          return count >= expected ? Date.now() : undefined;
        },
        120_000,
      );
      const result = appResult(await app);
      expect(result.stats.received).toBe(expected);
      expect(Object.values(result.stats.dropped).every((n) => n === 0)).toBe(true);
      await sleep(2_000);
      const records = allRecords().filter((r) => r.attributes['e2e.run'] === runId);
      expect(duplicates(records, recordKey)).toEqual([]);
      expect(records).toHaveLength(expected);
      const emitSeconds = (result.end - result.start) / 1000;
      const throughSeconds = (arrivedAt - result.start) / 1000;
      console.log(
        `[e2e gateway] throughput: ${expected} records in ${traces} traces; app emitted them in ` +
          `${emitSeconds.toFixed(2)} s (${Math.round(expected / emitSeconds)} records/s); all in the gateways' ` +
          `files ${throughSeconds.toFixed(2)} s after the first emit: ${Math.round(expected / throughSeconds)} records/s ` +
          `end to end (test wall ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
    });
  },
);
