import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogFiles } from '../helpers/readLogFiles.js';
import { runProcess, type ProcessRun } from '../helpers/runProcess.js';
import { startOtlpReceiver } from '../helpers/otlpReceiver.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runDemo(env: Record<string, string>): Promise<ProcessRun> {
  return runProcess(process.execPath, ['examples/demo/run.mjs'], {
    cwd: ROOT,
    env,
    timeoutMs: 30_000,
  });
}

describe('examples/demo', () => {
  it("should write every request's records to the per-category files with trace and span ids, and exit 0", async () => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-demo-'));
    const { code, stdout, stderr } = await runDemo({ OTEL_LOGKIT_LOG_DIR: logDir });
    expect(code).toBe(0);
    // WARN and above go to stderr as readable lines (a stack trace indented);
    // nothing else may be there.
    for (const line of stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^(\d{4}-\d\d-\d\dT\S+ (WARN|ERROR) | {2})/);
    }
    expect(stderr).toContain('ERROR [user] user interaction failed');
    expect(stdout).toContain('20 requests: 19 ok, 1 failed');
    expect(stdout).toContain(`records written to ${logDir}`);
    expect(readdirSync(logDir).sort()).toEqual([
      'app.jsonl',
      'llm_calls.jsonl',
      'performance.jsonl',
      'security.jsonl',
      'system_health.jsonl',
      'tool_executions.jsonl',
      'user_interactions.jsonl',
    ]);

    const records = readLogFiles(logDir);
    const requestRecords = records.filter((r) => r.attributes['request.id']);
    // Per request: debug, security event, tool execution, pricing timer, LLM
    // call, user interaction; plus a warning for each of the three queries
    // with no hits.
    expect(requestRecords).toHaveLength(20 * 6 + 3);
    expect(
      requestRecords
        .filter((r) => r.severityText === 'WARN')
        .map((r) => r.attributes['request.id']),
    ).toEqual(['req-0', 'req-7', 'req-14']);
    for (const r of requestRecords) {
      expect(r.traceId, String(r.body)).toMatch(/^[0-9a-f]{32}$/);
      expect(r.spanId, String(r.body)).toMatch(/^[0-9a-f]{16}$/);
      expect(r.resource['service.name']).toBe('demo-checkout');
    }
    // One trace per request, a different one for each request, shared with
    // the middleware's access record.
    const traces = new Map<string, Set<string>>();
    for (const r of requestRecords) {
      const id = String(r.attributes['request.id']);
      traces.set(id, (traces.get(id) ?? new Set()).add(r.traceId!));
    }
    expect(traces.size).toBe(20);
    for (const ids of traces.values()) expect(ids.size).toBe(1);
    const requestTraces = new Set([...traces.values()].map((ids) => [...ids][0]));
    expect(requestTraces.size).toBe(20);
    const access = records.filter((r) => r.file === 'app.jsonl');
    expect(access).toHaveLength(20);
    expect(access.every((r) => requestTraces.has(r.traceId))).toBe(true);
    expect(
      access.find((r) => r.attributes['http.response.status_code'] === 500)?.severityText,
    ).toBe('ERROR');

    const failure = records.find((r) => r.body === 'user interaction failed');
    expect(failure).toMatchObject({ file: 'user_interactions.jsonl', severityText: 'ERROR' });
    expect(failure!.attributes).toMatchObject({
      'request.id': 'req-3',
      'exception.type': 'Error',
      'exception.message': 'payment provider unavailable',
    });
    expect(String(failure!.attributes['exception.stacktrace'])).toContain(
      'Caused by: Error: connect ECONNREFUSED',
    );
    const llm = records.find((r) => r.file === 'llm_calls.jsonl');
    expect(llm!.attributes).toMatchObject({
      'gen_ai.request.model': 'demo-model',
      'gen_ai.provider.name': 'demo-provider',
      'logkit.category': 'llm',
    });
    expect(new Set(records.map((r) => r.severityText))).toEqual(
      new Set(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    );
  });

  it('should export over OTLP instead when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const receiver = await startOtlpReceiver();
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-demo-otlp-'));
    try {
      const { code, stdout } = await runDemo({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_LOGKIT_LOG_DIR: logDir,
      });
      expect(code).toBe(0);
      expect(stdout).toContain(`records exported over OTLP to ${receiver.url}`);
      const requestRecords = receiver.logs.filter((r) => r.attributes['request.id']);
      expect(requestRecords).toHaveLength(123);
      // Every log-derived metric of the middleware and the category helpers.
      const metricNames = new Set(receiver.metrics.map((m) => m.name));
      for (const name of [
        'log.record.count',
        'logkit.log.record.dropped',
        'http.server.request.duration',
        'gen_ai.client.token.usage',
        'gen_ai.client.operation.duration',
        'gen_ai.execute_tool.duration',
        'logkit.operation.duration',
      ]) {
        expect(metricNames, name).toContain(name);
      }
      const httpDuration = receiver.metrics
        .filter((m) => m.name === 'http.server.request.duration')
        .flatMap((m) => m.dataPoints);
      expect(httpDuration.reduce((n, p) => n + Number(p.count), 0)).toBe(20);
      const tokens = receiver.metrics
        .filter((m) => m.name === 'gen_ai.client.token.usage')
        .flatMap((m) => m.dataPoints);
      expect(new Set(tokens.map((p) => p.attributes['gen_ai.token.type']))).toEqual(
        new Set(['input', 'output']),
      );
      expect(requestRecords.every((r) => r.traceId && r.spanId)).toBe(true);
      // The spans of the demo's own TracerProvider arrive too, with the same trace ids.
      const spanTraces = new Set(receiver.spans.map((s) => s.traceId));
      expect(requestRecords.every((r) => spanTraces.has(r.traceId!))).toBe(true);
      expect(existsSync(path.join(logDir, 'app.jsonl'))).toBe(false);
      expect(readdirSync(logDir)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
