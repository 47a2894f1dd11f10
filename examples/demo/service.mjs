// The demo service: a node:http checkout endpoint, logged by otel-logkit's
// HTTP middleware (one access record, the http.server.request.duration
// histogram and a server span per request), whose handler checks access,
// calls a simulated tool and a simulated LLM, prices the order under a
// performance timer, and records the user interaction, all through the typed
// category helpers, so one run produces every log-derived metric.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { createCategoryHelpers, createHttpInstrumentation, withContext } from 'otel-logkit';

const tracer = trace.getTracer('demo-checkout');

/** Deterministic, so every run logs the same records: item-0, item-7 and item-14 find nothing. */
function hitsFor(query) {
  return Number(/\d+$/.exec(query)?.[0] ?? 1) % 7;
}

/** Creates the HTTP server; `handle` is what registerLogging returned. */
export function createService(handle) {
  const helpers = createCategoryHelpers(handle);
  const httpLogging = createHttpInstrumentation(handle);
  const log = handle.getLogger('demo.checkout', { category: 'user' });

  async function runTool(query) {
    return tracer.startActiveSpan('execute_tool search_catalog', async (span) => {
      const started = performance.now();
      await sleep(2 + (query.length % 5));
      const result = { hits: hitsFor(query), query };
      helpers.tool.execution({
        name: 'search_catalog',
        server: 'catalog-mcp',
        parameters: { query },
        result,
        success: true,
        durationMs: performance.now() - started,
      });
      span.end();
      return result;
    });
  }

  async function callModel(prompt) {
    return tracer.startActiveSpan('chat demo-model', async (span) => {
      const started = performance.now();
      await sleep(5 + (prompt.length % 7));
      helpers.llm.call({
        provider: 'demo-provider',
        model: 'demo-model',
        inputTokens: 20 + prompt.length,
        outputTokens: 40 + (prompt.length % 13),
        durationMs: performance.now() - started,
        success: true,
        streaming: false,
      });
      span.end();
      return `A summary for ${prompt}`;
    });
  }

  async function handle_(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const user = url.searchParams.get('user') ?? 'anonymous';
    await withContext(
      { 'user.id': user, 'request.id': url.searchParams.get('id') ?? '' },
      async () => {
        const started = performance.now();
        const query = url.searchParams.get('q') ?? 'shoes';
        log.debug('request received', { 'url.path': url.pathname });
        helpers.security.event({
          type: 'authorization',
          resource: url.pathname,
          action: 'purchase',
          allowed: true,
          user,
        });
        try {
          const found = await runTool(query);
          if (found.hits === 0) log.warn('no catalog hits', { query });
          const price = helpers.performance.measure('checkout.pricing', () => found.hits * 9.99);
          const answer = await callModel(query);
          if (url.searchParams.get('fail') === '1') {
            throw new Error('payment provider unavailable', {
              cause: new Error('connect ECONNREFUSED 10.0.0.7:443'),
            });
          }
          helpers.user.interaction({
            input: query,
            response: answer,
            toolCalls: ['search_catalog'],
            success: true,
            durationMs: performance.now() - started,
          });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ answer, price }));
        } catch (error) {
          helpers.user.interaction({
            input: query,
            toolCalls: ['search_catalog'],
            success: false,
            durationMs: performance.now() - started,
            error,
          });
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal error' }));
        }
      },
    );
  }

  const server = http.createServer(httpLogging.wrap(handle_));
  server.on('listening', () =>
    helpers.system.startup('demo-checkout', { 'server.port': server.address().port }),
  );
  return server;
}
