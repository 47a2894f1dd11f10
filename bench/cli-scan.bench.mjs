// Scan speed of `otel-logkit view` / `stats` against jq on the same generated
// OTLP/JSON log, in one run.
//
// 1. Generates (once, deterministically) a log of BENCH_CLI_MB MiB (default
//    1024) under .cache/bench/ (git-ignored): one ExportLogsServiceRequest per
//    line, as otel-logkit's file exporter and the Collector's file exporter
//    write them: 1-16 records per line, 12 resource attributes, 4 categories
//    with their semantic-convention attributes, 25% of records WARN or above,
//    timestamps rising evenly over 24 hours. And a dense log of
//    BENCH_CLI_DENSE_MB MiB (default 150): 48-64 records per line, one ERROR
//    record in every line, for `view --json --level error` where every line
//    has a match and must be decoded.
// 2. Runs each case with otel-logkit and with jq doing the same work, measures
//    wall time, CPU time (user + system) and peak RSS (GNU time -v when
//    /usr/bin/time is there, else the child's VmHWM from /proc and no CPU
//    time), checks both printed the same number of records, and prints the
//    figures with the ratio. Each case runs BENCH_CLI_ROUNDS times (default 3),
//    otel-logkit and jq in turn, and the medians are shown: on a shared machine
//    one run of either can be slowed by the others' load, which the medians
//    and the CPU time keep out of the ratio better than one wall time.
//
// `npm run bench:cli` builds first. BENCH_CLI_MB=64 for a quick run.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'dist/cli/main.js');
const MB = Number(process.env.BENCH_CLI_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 3);
const DIR = path.resolve(ROOT, process.env.BENCH_CLI_DIR ?? '.cache/bench');
const GENERATOR_VERSION = 1;
const FILE = path.join(DIR, `otlp-logs-v${GENERATOR_VERSION}-${MB}mb.jsonl`);
// The dense file: many records per line (48-64) and one ERROR record forced
// into every line, so a `--level error` filter matches on every line and no
// line can be skipped whole.
const DENSE_MB = Number(process.env.BENCH_CLI_DENSE_MB ?? 150);
const DENSE_FILE = path.join(DIR, `otlp-logs-dense-v${GENERATOR_VERSION}-${DENSE_MB}mb.jsonl`);
const START_MS = Date.UTC(2025, 0, 1);
const SPAN_MS = 24 * 3600 * 1000;
// The time filter: the second half of the day.
const SINCE_MS = START_MS + SPAN_MS / 2;
const SINCE_NS = `${BigInt(SINCE_MS) * 1_000_000n}`;
// The --until filter: the first hour.
const UNTIL_MS = START_MS + 3600 * 1000;
const UNTIL_NS = `${BigInt(UNTIL_MS) * 1_000_000n}`;

if (!Number.isFinite(MB) || MB <= 0) {
  console.error(`BENCH_CLI_MB must be a positive number of MiB, not ${process.env.BENCH_CLI_MB}`);
  process.exit(2);
}
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`BENCH_CLI_ROUNDS must be a positive integer, not ${process.env.BENCH_CLI_ROUNDS}`);
  process.exit(2);
}
if (!existsSync(BIN)) {
  console.error(`${BIN} is missing: run \`npm run build\` first (npm run bench:cli does).`);
  process.exit(2);
}

// ---------------------------------------------------------------- generation

function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(
  file,
  bytes,
  { minPerLine = 1, maxPerLine = 16, errorPerLine = false } = {},
) {
  const rand = prng(42);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const hex = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  const str = (key, value) => ({ key, value: { stringValue: value } });
  const int = (key, value) => ({ key, value: { intValue: String(value) } });
  const dbl = (key, value) => ({ key, value: { doubleValue: value } });
  const bool = (key, value) => ({ key, value: { boolValue: value } });
  const resources = ['checkout', 'search', 'agent'].map((name, i) => ({
    attributes: [
      str('service.name', name),
      str('service.version', `1.4.${i}`),
      str('service.instance.id', `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`),
      int('process.pid', 1000 + i),
      str('process.runtime.name', 'nodejs'),
      str('process.runtime.version', '20.20.2'),
      str('host.name', `web-${i}`),
      str('host.arch', 'amd64'),
      str('os.type', 'linux'),
      str('telemetry.sdk.language', 'nodejs'),
      str('telemetry.sdk.name', 'opentelemetry'),
      str('telemetry.sdk.version', '2.12.1'),
    ],
    droppedAttributesCount: 0,
  }));
  // DEBUG 2/12, INFO 7/12, WARN 2/12, ERROR 1/12.
  const levels = [
    [5, 'DEBUG'],
    [5, 'DEBUG'],
    [9, 'INFO'],
    [9, 'INFO'],
    [9, 'INFO'],
    [9, 'INFO'],
    [9, 'INFO'],
    [9, 'INFO'],
    [9, 'INFO'],
    [13, 'WARN'],
    [13, 'WARN'],
    [17, 'ERROR'],
  ];
  const record = (timeNs, level) => {
    const [severityNumber, severityText] = level ?? pick(levels);
    const category = pick(['user', 'llm', 'tool', 'system']);
    const attributes = [str('logkit.category', category)];
    let body = 'request completed';
    if (category === 'llm') {
      body = 'model call completed';
      attributes.push(
        str('gen_ai.provider.name', pick(['openai', 'anthropic'])),
        str('gen_ai.request.model', pick(['gpt-x', 'gpt-y', 'claude-x'])),
        int('gen_ai.usage.input_tokens', 100 + Math.floor(rand() * 900)),
        int('gen_ai.usage.output_tokens', 10 + Math.floor(rand() * 400)),
        dbl('duration_ms', Math.round(rand() * 200_000) / 100),
      );
    } else if (category === 'tool') {
      body = 'tool executed';
      attributes.push(
        str('gen_ai.tool.name', pick(['search_catalog', 'get_weather', 'send_mail'])),
        bool('success', rand() < 0.9),
        int('duration_ms', Math.floor(rand() * 500)),
      );
    } else if (category === 'user') {
      attributes.push(
        str('user.id', `u-${Math.floor(rand() * 1000)}`),
        str('http.request.method', 'GET'),
        str('url.path', '/checkout'),
        int('http.response.status_code', 200),
        bool('success', rand() < 0.95),
        int('duration_ms', Math.floor(rand() * 900)),
      );
    } else {
      body = 'heartbeat';
      attributes.push(int('system.memory.usage', Math.floor(rand() * 1e9)));
    }
    if (severityNumber >= 17) {
      attributes.push(
        str('exception.type', pick(['TypeError', 'TimeoutError', 'ECONNRESET'])),
        str('exception.message', 'something failed'),
        str(
          'exception.stacktrace',
          'Error: something failed\n    at handler (/app/src/handler.js:10:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
        ),
      );
    }
    return {
      timeUnixNano: timeNs,
      observedTimeUnixNano: timeNs,
      severityNumber,
      severityText,
      body: { stringValue: body },
      attributes,
      droppedAttributesCount: 0,
      flags: 1,
      traceId: hex(32),
      spanId: hex(16),
    };
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  // About 700 bytes a record: spread the day evenly over the expected count.
  const stepNs = (BigInt(SPAN_MS) * 1_000_000n) / BigInt(Math.ceil(bytes / 700));
  let timeNs = BigInt(START_MS) * 1_000_000n;
  let written = 0;
  let records = 0;
  let chunk = '';
  while (written < bytes) {
    const count = minPerLine + Math.floor(rand() * (maxPerLine - minPerLine + 1));
    const forced = errorPerLine ? Math.floor(rand() * count) : -1;
    const logRecords = [];
    for (let i = 0; i < count; i++) {
      timeNs += stepNs;
      logRecords.push(record(String(timeNs), i === forced ? [17, 'ERROR'] : undefined));
    }
    records += count;
    const line = `${JSON.stringify({
      resourceLogs: [
        {
          resource: pick(resources),
          scopeLogs: [{ scope: { name: 'app' }, logRecords }],
        },
      ],
    })}\n`;
    written += Buffer.byteLength(line);
    chunk += line;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  renameSync(partial, file);
  return records;
}

// ---------------------------------------------------------------- measuring

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command, counting its output lines; wall and CPU time (s), peak RSS (MiB), lines. */
function measure(command, args) {
  return new Promise((resolve, reject) => {
    const argv = GNU_TIME ? [GNU_TIME, '-v', command, ...args] : [command, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    // Without GNU time: the child's high-water mark, sampled from /proc.
    const sampler = GNU_TIME
      ? undefined
      : setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
            if (kb > peakKb) peakKb = kb;
          } catch {
            // exited
          }
        }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (sampler) clearInterval(sampler);
      let cpu = Number.NaN;
      if (GNU_TIME) {
        peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
        cpu =
          Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN) +
          Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN);
        stderr = stderr.replace(/\tCommand being timed:[\s\S]*$/, '');
      }
      if (code !== 0 && code !== 1) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
        return;
      }
      resolve({ seconds, cpu, peakMb: peakKb / 1024, lines });
    });
  });
}

// jq: the same flat records (time, level, message, ids, attributes, resource)
// for the records at WARN or above since SINCE_NS.
const JQ_VIEW = `
def v: if . == null then null else (to_entries[0].value) end;
def kv: (. // []) | map({key, value: (.value | v)}) | from_entries;
.resourceLogs[] | (.resource.attributes | kv) as $resource
| .scopeLogs[] | .logRecords[]
| select((.severityNumber // 0) >= $min and (.timeUnixNano // "0") >= $since)
| {time: .timeUnixNano, level: .severityText, severity_number: .severityNumber,
   message: (.body | v), trace_id: .traceId, span_id: .spanId,
   attributes: (.attributes | kv), resource: $resource}`;

// jq: the same flat records as JQ_VIEW, for the records where `cond` holds:
// a jq expression over the raw record (`.`) and $resource (the resource's
// attributes), with `$x` (and `$k`) as arguments; one program per filter
// `view` offers. Written as a jq user would: the condition first, on the raw
// record, and the flat record built only for those that pass.
const jqFiltered = (cond) => `
def v: if . == null then null else (to_entries[0].value) end;
def kv: (. // []) | map({key, value: (.value | v)}) | from_entries;
.resourceLogs[] | (.resource.attributes | kv) as $resource
| .scopeLogs[] | .logRecords[]
| select(${cond})
| {time: .timeUnixNano, level: .severityText, severity_number: .severityNumber,
   message: (.body | v), trace_id: .traceId, span_id: .spanId,
   attributes: (.attributes | kv), resource: $resource}`;
// --keyword and --grep test the message and every attribute value but the category.
const jqAnyText = (test) =>
  `any((.body | v), (.attributes[]? | select(.key != "logkit.category") | .value | v); . != null and (tostring | ${test}))`;

// jq: records by level over the whole file (stats reports that and much more).
const JQ_STATS = `
reduce (inputs | .resourceLogs[].scopeLogs[].logRecords[]) as $r
  ({}; .[$r.severityText // "UNSPECIFIED"] += 1)`;

function hasJq() {
  const result = spawnSync('jq', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

// ---------------------------------------------------------------- main

for (const [file, mb, shape] of [
  [FILE, MB, undefined],
  [DENSE_FILE, DENSE_MB, { minPerLine: 48, maxPerLine: 64, errorPerLine: true }],
]) {
  if (existsSync(file)) continue;
  process.stdout.write(
    `generating ${mb} MiB of OTLP/JSON logs into ${path.relative(ROOT, file)} … `,
  );
  const started = Date.now();
  const records = await generate(file, mb * 1024 * 1024, shape);
  console.log(
    `${records.toLocaleString('en-US')} records in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
const size = statSync(FILE).size;
const denseSize = statSync(DENSE_FILE).size;
const jq = hasJq();
if (!jq) {
  console.log(
    '\njq is not installed, so there is nothing to compare against: install it ' +
      '(Debian/Ubuntu: `apt-get install jq`) and run again. Timing otel-logkit alone.\n',
  );
}

const cases = [
  {
    name: `view --level warn --since <12:00> --json`,
    ours: ['view', '--level', 'warn', '--since', new Date(SINCE_MS).toISOString(), '--json', FILE],
    jq: ['-c', '--arg', 'since', SINCE_NS, '--argjson', 'min', '13', JQ_VIEW, FILE],
  },
  // Every line holds a match: nothing can be skipped by line, every line is decoded.
  {
    name: `view --json --level error (dense: ${DENSE_MB} MiB, 48-64 records a line)`,
    ours: ['view', '--json', '--level', 'error', DENSE_FILE],
    jq: ['-c', '--arg', 'since', '0', '--argjson', 'min', '17', JQ_VIEW, DENSE_FILE],
    size: denseSize,
  },
  // The other filters, on the dense file: each matches records in (nearly)
  // every line, so lines cannot be skipped and the records must be told apart.
  {
    name: 'view --json --category tool (dense)',
    ours: ['view', '--json', '--category', 'tool', DENSE_FILE],
    jq: [
      '-c',
      '--arg',
      'x',
      'tool',
      jqFiltered('any(.attributes[]?; .key == "logkit.category" and .value.stringValue == $x)'),
      DENSE_FILE,
    ],
    size: denseSize,
  },
  {
    name: 'view --json --service search (dense)',
    ours: ['view', '--json', '--service', 'search', DENSE_FILE],
    jq: ['-c', '--arg', 'x', 'search', jqFiltered('$resource["service.name"] == $x'), DENSE_FILE],
    size: denseSize,
  },
  {
    name: 'view --json --keyword get_weather (dense)',
    ours: ['view', '--json', '--keyword', 'get_weather', DENSE_FILE],
    jq: ['-c', '--arg', 'x', 'get_weather', jqFiltered(jqAnyText('contains($x)')), DENSE_FILE],
    size: denseSize,
  },
  {
    name: 'view --json --keyword CLAUDE -i (dense)',
    ours: ['view', '--json', '--keyword', 'CLAUDE', '-i', DENSE_FILE],
    jq: [
      '-c',
      '--arg',
      'x',
      'claude',
      jqFiltered(jqAnyText('ascii_downcase | contains($x)')),
      DENSE_FILE,
    ],
    size: denseSize,
  },
  {
    name: "view --json --grep '^gpt-[xy]$' (dense)",
    ours: ['view', '--json', '--grep', '^gpt-[xy]$', DENSE_FILE],
    jq: ['-c', '--arg', 'x', '^gpt-[xy]$', jqFiltered(jqAnyText('test($x)')), DENSE_FILE],
    size: denseSize,
  },
  {
    name: 'view --json --attr gen_ai.provider.name=anthropic (dense)',
    ours: ['view', '--json', '--attr', 'gen_ai.provider.name=anthropic', DENSE_FILE],
    jq: [
      '-c',
      '--arg',
      'k',
      'gen_ai.provider.name',
      '--arg',
      'x',
      'anthropic',
      jqFiltered(
        '([.attributes[]? | select(.key == $k)] | last) as $a | if $a then ($a.value | v | tostring) == $x else ($resource | has($k)) and ($resource[$k] | tostring) == $x end',
      ),
      DENSE_FILE,
    ],
    size: denseSize,
  },
  {
    name: 'view --json --trace-id ab (dense)',
    ours: ['view', '--json', '--trace-id', 'ab', DENSE_FILE],
    jq: [
      '-c',
      '--arg',
      'x',
      'ab',
      jqFiltered('(.traceId // "") | ascii_downcase | startswith($x)'),
      DENSE_FILE,
    ],
    size: denseSize,
  },
  {
    name: 'view --json --until <01:00> (dense)',
    ours: ['view', '--json', '--until', new Date(UNTIL_MS).toISOString(), DENSE_FILE],
    jq: [
      '-c',
      '--arg',
      'x',
      UNTIL_NS,
      jqFiltered(
        '(.timeUnixNano // "0") as $t | $t != "0" and ($t | length) <= ($x | length) and (($t | length) < ($x | length) or $t < $x)',
      ),
      DENSE_FILE,
    ],
    size: denseSize,
  },
  // For information, not a target: stats decodes every record and computes
  // everything it reports; jq here only counts records by level.
  {
    name: 'stats --json (every record; jq: counts by level)',
    ours: ['stats', '--json', FILE],
    jq: ['-n', '-c', JQ_STATS, FILE],
    sameLines: false,
    target: false,
  },
];

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** Median wall and CPU time, the largest peak RSS, the first run's lines, over the runs. */
const summary = (runs) => ({
  seconds: median(runs.map((run) => run.seconds)),
  cpu: median(runs.map((run) => run.cpu)),
  peakMb: Math.max(...runs.map((run) => run.peakMb)),
  lines: runs[0].lines,
  sameLines: runs.every((run) => run.lines === runs[0].lines),
});
const row = (c, tool, result) => ({
  case: c.name,
  tool,
  'wall s': result.seconds.toFixed(2),
  'cpu s': Number.isNaN(result.cpu) ? '-' : result.cpu.toFixed(2),
  'peak RSS MiB': result.peakMb.toFixed(0),
  'lines out': result.lines,
});
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

console.log(
  `file: ${path.relative(ROOT, FILE)}, ${(size / 1024 / 1024).toFixed(0)} MiB; ` +
    `node ${process.version}; ${jq ?? 'no jq'}; peak RSS by ${GNU_TIME ? 'GNU time -v' : '/proc VmHWM'}; ` +
    `${ROUNDS} round(s), medians; load average ${load()}`,
);
const rows = [];
let exitCode = 0;
// BENCH_CLI_CASES=category,service: only the cases whose name holds one of these.
const only = process.env.BENCH_CLI_CASES?.split(',').filter((part) => part !== '');
for (const c of cases) {
  if (only && !only.some((part) => c.name.includes(part))) continue;
  const ourRuns = [];
  const theirRuns = [];
  for (let round = 0; round < ROUNDS; round++) {
    ourRuns.push(await measure(process.execPath, [BIN, ...c.ours]));
    if (jq) theirRuns.push(await measure('jq', c.jq));
  }
  const ours = summary(ourRuns);
  rows.push(row(c, 'otel-logkit', ours));
  if (!ours.sameLines) {
    console.error(`${c.name}: otel-logkit printed different record counts across rounds`);
    exitCode = 1;
  }
  if (c.target !== false && ours.peakMb >= 200) exitCode = 1;
  if (!jq) continue;
  const theirs = summary(theirRuns);
  rows.push(row(c, 'jq', theirs));
  const ratio = theirs.seconds / ours.seconds;
  const cpuRatio = theirs.cpu / ours.cpu;
  rows.push({
    case: c.name,
    tool:
      `→ otel-logkit ${ratio.toFixed(1)}× faster than jq (wall)` +
      (Number.isNaN(cpuRatio) ? '' : `, ${cpuRatio.toFixed(1)}× (cpu)`),
  });
  if (c.sameLines !== false && theirs.lines !== ours.lines) {
    console.error(`${c.name}: otel-logkit printed ${ours.lines} records, jq ${theirs.lines}`);
    exitCode = 1;
  }
  if (c.target !== false && ratio < 3) exitCode = 1;
}
console.table(rows);
console.log(
  'target (every case but stats): at least 3× faster than jq (median wall time), peak RSS under 200 MiB; ' +
    `load average at the end ${load()}`,
);
process.exitCode = exitCode;
