// `npm run demo`: builds otel-logkit if needed, starts the demo service with
// registerLogging, sends it a burst of requests, shuts down cleanly and prints
// where the records went. `--serve` keeps the service running instead.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const built = path.join(root, 'dist/index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(path.join(root, 'src'))) return;
  console.log('building otel-logkit…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    requests: { type: 'string', default: '20' },
    port: { type: 'string', default: '0' },
  },
});

buildIfNeeded();
const { registerLogging } = await import('otel-logkit');
const { createService } = await import('./service.mjs');

const handle = registerLogging({
  serviceName: 'demo-checkout',
  serviceVersion: '1.0.0',
  level: 'debug',
  // A TracerProvider of our own, since the demo has no tracing setup: its
  // spans give the records their trace and span ids.
  traces: true,
});
const server = createService(handle);
await new Promise((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

if (values.serve) {
  console.log(
    `demo service on ${base}/checkout?q=boots&user=u1 (add &fail=1 for a failure); Ctrl-C stops it`,
  );
} else {
  const total = Number(values.requests);
  const statuses = [];
  // Bursts of five concurrent requests; the fourth request fails on purpose.
  for (let i = 0; i < total; i += 5) {
    const batch = [];
    for (let j = i; j < Math.min(i + 5, total); j++) {
      const fail = j === 3 ? '&fail=1' : '';
      batch.push(
        fetch(`${base}/checkout?q=item-${j}&user=user-${j % 4}&id=req-${j}${fail}`).then(
          (r) => r.status,
        ),
      );
    }
    statuses.push(...(await Promise.all(batch)));
  }
  await new Promise((resolve) => server.close(resolve));
  await handle.shutdown();

  const exporting =
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT;
  console.log(
    `\n${total} requests: ${statuses.filter((s) => s === 200).length} ok, ${statuses.filter((s) => s !== 200).length} failed`,
  );
  if (exporting && !process.env.OTEL_LOGS_EXPORTER) {
    console.log(`records exported over OTLP to ${exporting}`);
  } else {
    const logDir = path.resolve(process.env.OTEL_LOGKIT_LOG_DIR || 'logs');
    console.log(`records written to ${logDir}:`);
    for (const file of readdirSync(logDir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()) {
      const lines = readFileSync(path.join(logDir, file), 'utf8').split('\n').filter(Boolean);
      const records = lines.reduce(
        (n, line) =>
          n +
          JSON.parse(line).resourceLogs.reduce(
            (m, rl) => m + rl.scopeLogs.reduce((k, sl) => k + sl.logRecords.length, 0),
            0,
          ),
        0,
      );
      console.log(`  ${file.padEnd(24)} ${String(records).padStart(4)} records`);
    }
  }
}
