// The real backends of the local stack, started by their scripts (no Docker): Elasticsearch
// from Maven Central's integ-test-zip on the machine's JDK, Prometheus from Debian's package.
// They run in their own state folder (.cache/stack-e2e) and on their own ports, so a running
// `npm run stack` is left alone. Missing Java/Prometheus: skipped with a message on a
// developer's machine, a failure in CI.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return --
   the tests read ad-hoc JSON responses of Elasticsearch and Prometheus */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ES_PORT = Number(process.env.E2E_ES_PORT ?? 19200);
const PROMETHEUS_PORT = Number(process.env.E2E_PROMETHEUS_PORT ?? 19090);
const COLLECTOR_PROMETHEUS_PORT = 18889; // nothing listens there: the target is just "down"
const env = {
  ...process.env,
  STACK_DIR: path.join(root, '.cache/stack-e2e'),
  ES_PORT: String(ES_PORT),
  ES_TRANSPORT_PORT: String(ES_PORT + 100),
  PROMETHEUS_PORT: String(PROMETHEUS_PORT),
  COLLECTOR_PROMETHEUS_PORT: String(COLLECTOR_PROMETHEUS_PORT),
};
const es = `http://127.0.0.1:${ES_PORT}`;
const prom = `http://127.0.0.1:${PROMETHEUS_PORT}`;

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}
const missing = [
  has('java', ['-version'])
    ? null
    : 'Java >= 17 (Elasticsearch), e.g. `sudo apt-get install openjdk-17-jre-headless`',
  has(process.env.PROMETHEUS_BIN ?? 'prometheus', ['--version'])
    ? null
    : 'Prometheus, e.g. `sudo apt-get install prometheus` (or set PROMETHEUS_BIN)',
].filter((m): m is string => m !== null);

if (missing.length > 0) {
  const message = `backends e2e: missing ${missing.join('; ')}`;
  if (process.env.CI) throw new Error(message);
  console.warn(`${message} — skipping`);
}

function script(name: string, command: string): void {
  execFileSync('bash', [path.join(root, 'scripts/stack', name), command], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${body}`);
  return JSON.parse(body);
}

// In CI a missing component has already failed this file above.
describe.skipIf(missing.length > 0 && !process.env.CI)(
  'local stack backends (real Elasticsearch and Prometheus)',
  () => {
    const timings: Record<string, number> = {};

    beforeAll(() => {
      for (const name of ['elasticsearch.sh', 'prometheus.sh']) {
        const t0 = Date.now();
        script(name, 'start');
        timings[name] = Date.now() - t0;
      }
      console.log('backend start times (ms):', timings);
    });

    afterAll(() => {
      const pids = ['elasticsearch', 'prometheus'].map((c) => {
        try {
          return readFileSync(path.join(env.STACK_DIR, 'pids', `${c}.pid`), 'utf8').trim();
        } catch {
          return '';
        }
      });
      script('prometheus.sh', 'stop');
      script('elasticsearch.sh', 'stop');
      for (const pid of pids.filter(Boolean)) {
        expect(spawnSync('kill', ['-0', pid]).status, `pid ${pid} still alive`).not.toBe(0);
      }
    });

    it('Elasticsearch is healthy, on loopback, and not run as root', async () => {
      const health = await json(`${es}/_cluster/health`);
      expect(['green', 'yellow']).toContain(health.status);
      const nodes = await json(`${es}/_nodes/process,http`);
      const node = Object.values(nodes.nodes as Record<string, any>)[0];
      expect(node.http.publish_address).toMatch(/^127\.0\.0\.1:/);
      const pid = readFileSync(
        path.join(env.STACK_DIR, 'pids', 'elasticsearch.pid'),
        'utf8',
      ).trim();
      expect(String(node.process.id)).toBe(pid);
      const uid = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)![1];
      expect(uid).not.toBe('0');
    });

    it('accepts logs into a logs-*.otel-* data stream and finds them by trace id', async () => {
      const stream = 'logs-e2e.otel-default';
      // Fresh ids each run: the e2e state folder keeps earlier runs' data.
      const traceA = randomBytes(16).toString('hex');
      const traceB = randomBytes(16).toString('hex');
      const docs = [
        { trace: traceA, span: '00f067aa0ba902b7', body: 'checkout started' },
        { trace: traceA, span: '00f067aa0ba902b7', body: 'payment declined' },
        { trace: traceB, span: 'b7ad6b7169203331', body: 'unrelated' },
      ];
      const bulk = docs
        .flatMap((d, i) => [
          JSON.stringify({ create: {} }),
          JSON.stringify({
            '@timestamp': new Date(Date.now() + i).toISOString(),
            trace_id: d.trace,
            span_id: d.span,
            severity_text: 'INFO',
            body: { text: d.body },
            attributes: { 'logkit.category': 'e2e' },
            resource: { attributes: { 'service.name': 'backends-e2e' } },
          }),
        ])
        .join('\n');
      const res = await json(`${es}/${stream}/_bulk?refresh=true&require_data_stream=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${bulk}\n`,
      });
      expect(res.errors, JSON.stringify(res.items)).toBe(false);
      expect(res.items[0].create._index).toMatch(/^\.ds-logs-e2e\.otel-default-/);

      const found = await json(`${es}/logs-*.otel-*/_search`, {
        method: 'POST',
        body: JSON.stringify({ query: { term: { trace_id: traceA } }, sort: ['@timestamp'] }),
      });
      const bodies = found.hits.hits.map((h: any) => h._source.body.text);
      expect(bodies).toEqual(['checkout started', 'payment declined']);
    });

    it('Prometheus is ready, scrapes the Collector target and answers PromQL', async () => {
      await expect(fetch(`${prom}/-/ready`).then((r) => r.status)).resolves.toBe(200);
      // Targets are discovered and scraped asynchronously after startup.
      const deadline = Date.now() + 30_000;
      let urls: string[] = [];
      let result: any[] = [];
      while (Date.now() < deadline) {
        const targets = await json(`${prom}/api/v1/targets`);
        // Wait for a scrape of this run (the e2e state folder keeps earlier runs' series).
        const scraped = targets.data.activeTargets.filter((t: any) => t.health !== 'unknown');
        urls = scraped.map((t: any) => t.scrapeUrl);
        if (urls.length === 0) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        const q = await json(
          `${prom}/api/v1/query?query=${encodeURIComponent('up{job="otel-collector"}')}`,
        );
        expect(q.status).toBe('success');
        result = q.data.result;
        if (result.length > 0) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect(urls).toContain(`http://127.0.0.1:${COLLECTOR_PROMETHEUS_PORT}/metrics`);
      expect(result).toHaveLength(1);
      expect(result[0].metric.instance).toBe(`127.0.0.1:${COLLECTOR_PROMETHEUS_PORT}`);
      expect(result[0].value[1]).toBe('0'); // no Collector in this test
      const arith = await json(
        `${prom}/api/v1/query?query=${encodeURIComponent('vector(2) * 21')}`,
      );
      expect(arith.data.result[0].value[1]).toBe('42');
    });
  },
);
