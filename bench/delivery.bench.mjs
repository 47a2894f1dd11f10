// Delivery under pressure, in one run: records that reach a loopback OTLP
// receiver, peak RSS and CPU per record, for otel-logkit and the raw OTel SDK
// (BatchLogRecordProcessor + OTLP/protobuf exporter, with its defaults and
// with a 1,000,000-record queue), pino with pino-opentelemetry-transport and
// winston with @opentelemetry/winston-transport (each with the SDK's defaults
// behind it). Each library runs in its own process.
// - burst: COUNT records logged in one synchronous loop, then shutdown;
// - outage: 1,000 rec/s for OUTAGE_S * 2 seconds, the receiver down for the
//   first OUTAGE_S seconds, then shutdown;
// - cpu: 100,000 records at 20,000 rec/s with the receiver up, then down
//   (otel-logkit's spooling path against the SDK's path).
// `npm run bench:delivery` builds first. Env: BURST (default 200000),
// OUTAGE_S (default 15), LIBS (comma list).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReceiver } from './delivery/receiver.mjs';

const CHILD = join(import.meta.dirname, 'delivery/child.mjs');
const BURST = Number(process.env.BURST ?? 200_000);
const OUTAGE_S = Number(process.env.OUTAGE_S ?? 15);
const LIBS = (process.env.LIBS ?? 'logkit,sdk,sdk-large,pino,winston').split(',');
const receiver = await startReceiver();

function run(lib, env) {
  const cwd = mkdtempSync(join(tmpdir(), 'logkit-bench-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], {
      cwd,
      env: {
        ...process.env,
        NODE_PATH: join(import.meta.dirname, '../node_modules'),
        LIB: lib,
        ENDPOINT: receiver.url,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${lib} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const rows = [];
let tagN = 0;

for (const lib of LIBS) {
  const tag = `burst${tagN++}`;
  const r = await run(lib, { COUNT: String(BURST), TAG: tag });
  await new Promise((ok) => setTimeout(ok, 200));
  const { distinct, duplicated } = receiver.tally(tag);
  rows.push([
    `${BURST} burst`,
    lib,
    `${distinct} / ${BURST}`,
    duplicated,
    mb(r.maxRssKb),
    `${r.wallMs} ms`,
  ]);
}

for (const lib of LIBS) {
  const tag = `outage${tagN++}`;
  const total = 1000 * OUTAGE_S * 2;
  await receiver.stop();
  const running = run(lib, { COUNT: String(total), RATE: '1000', TAG: tag });
  await new Promise((ok) => setTimeout(ok, OUTAGE_S * 1000));
  await receiver.start();
  const r = await running;
  await new Promise((ok) => setTimeout(ok, 200));
  const { distinct, duplicated } = receiver.tally(tag);
  rows.push([
    `1,000 rec/s, down ${OUTAGE_S} s`,
    lib,
    `${distinct} / ${total}`,
    duplicated,
    mb(r.maxRssKb),
    `${r.wallMs} ms`,
  ]);
}

const cpu = [];
for (const lib of LIBS.filter((l) => l !== 'sdk-large')) {
  for (const state of ['up', 'down']) {
    if (state === 'down') await receiver.stop();
    const r = await run(lib, { COUNT: '100000', RATE: '20000', TAG: `cpu${tagN++}` });
    if (state === 'down') await receiver.start();
    cpu.push([lib, state, `${(r.cpuUs / 100_000).toFixed(1)} µs`]);
  }
}
await receiver.stop();

console.log('| scenario | library | delivered | duplicated | peak RSS | time |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log('\n| library | endpoint | CPU per record (user+system, whole process) |');
console.log('| --- | --- | --- |');
for (const row of cpu) console.log(`| ${row.join(' | ')} |`);
