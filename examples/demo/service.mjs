// The demo service: a node:http checkout endpoint whose every request runs in
// a server span, calls a simulated tool and a simulated LLM, and logs at
// several levels through otel-logkit.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { withContext } from 'otel-logkit';

const tracer = trace.getTracer('demo-checkout');

/** A pretend search tool: a few ms of "work", then a summary. */
async function runTool(log, query) {
  return tracer.startActiveSpan('execute_tool search_catalog', async (span) => {
    const started = performance.now();
    await sleep(2 + Math.random() * 5);
    // Deterministic, so every run logs the same records: item-0, item-7 and
    // item-14 find nothing, which the service logs as a warning.
    const result = { hits: Number(/\d+$/.exec(query)?.[0] ?? 1) % 7, query };
    log.info('tool executed', {
      'gen_ai.tool.name': 'search_catalog',
      'gen_ai.operation.name': 'execute_tool',
      'tool.server': 'catalog-mcp',
      'tool.parameters': { query },
      'tool.result_summary': JSON.stringify(result),
      success: true,
      duration_ms: Math.round(performance.now() - started),
    });
    span.end();
    return result;
  });
}

/** A pretend LLM call: token counts and a duration, as a real client would report. */
async function callModel(log, prompt) {
  return tracer.startActiveSpan('chat demo-model', { kind: SpanKind.CLIENT }, async (span) => {
    const started = performance.now();
    await sleep(5 + Math.random() * 10);
    const inputTokens = 20 + prompt.length;
    const outputTokens = 40 + Math.floor(Math.random() * 40);
    log.debug('model request sent', {
      'gen_ai.request.model': 'demo-model',
      prompt_chars: prompt.length,
    });
    log.info('model call completed', {
      'gen_ai.provider.name': 'demo-provider',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'demo-model',
      'gen_ai.usage.input_tokens': inputTokens,
      'gen_ai.usage.output_tokens': outputTokens,
      streaming: false,
      success: true,
      duration_ms: Math.round(performance.now() - started),
    });
    span.end();
    return `A summary for ${prompt}`;
  });
}

/** Creates the HTTP server; `handle` is what registerLogging returned. */
export function createService(handle) {
  const httpLog = handle.getLogger('demo.http', { category: 'user' });
  const toolLog = handle.getLogger('demo.tool', { category: 'tool' });
  const llmLog = handle.getLogger('demo.llm', { category: 'llm' });
  const systemLog = handle.getLogger('demo.system', { category: 'system' });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Continue the caller's trace when it sent a traceparent header.
    const parent = propagation.extract(context.active(), req.headers);
    tracer.startActiveSpan(
      `${req.method} ${url.pathname}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': url.pathname },
      },
      parent,
      (span) =>
        withContext(
          {
            'user.id': url.searchParams.get('user') ?? 'anonymous',
            'request.id': url.searchParams.get('id') ?? '',
          },
          async () => {
            const started = performance.now();
            try {
              httpLog.debug('request received', {
                'http.request.method': req.method,
                'url.path': url.pathname,
              });
              const query = url.searchParams.get('q') ?? 'shoes';
              const found = await runTool(toolLog, query);
              if (found.hits === 0) httpLog.warn('no catalog hits', { query });
              const answer = await callModel(llmLog, query);
              if (url.searchParams.get('fail') === '1') {
                throw new Error('payment provider unavailable', {
                  cause: new Error('connect ECONNREFUSED 10.0.0.7:443'),
                });
              }
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ answer }));
              httpLog.info('request completed', {
                'http.response.status_code': 200,
                duration_ms: Math.round(performance.now() - started),
              });
            } catch (error) {
              span.recordException(error);
              span.setStatus({ code: SpanStatusCode.ERROR });
              httpLog.error('request failed', error, { 'http.response.status_code': 500 });
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: 'internal error' }));
            } finally {
              span.end();
            }
          },
        ),
    );
  });
  server.on('listening', () =>
    systemLog.notice('demo service listening', { 'server.port': server.address().port }),
  );
  return server;
}
