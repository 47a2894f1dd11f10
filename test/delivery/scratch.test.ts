import { spawn } from 'node:child_process';
import { it } from 'vitest';
import { startCountingReceiver } from '../helpers/countingReceiver.js';
it('scratch', async () => {
  const r = await startCountingReceiver();
  const t0 = Date.now();
  const child = spawn(process.execPath, ['test/fixtures/delivery-app.mjs'], { env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGKIT_SPOOL_DIR: '/tmp/wt11-spool', COUNT: process.env.N ?? '200000', TAG: 'b' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((res) => child.on('exit', res));
  console.log(out, Date.now() - t0, r.total('b'), JSON.stringify(r.check('b', Number(process.env.N ?? 200000))));
  await r.stop();
}, 120_000);
