// Loopback OTLP/HTTP logs receiver for bench/export.bench.mjs, run as a child
// process of the case being measured (its CPU is not the case's). It decodes
// every request with the official .proto definitions (protobuf) or JSON.parse
// (OTLP/JSON), counts the log records, and tells the parent over IPC once the
// count it was asked to wait for has arrived.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const root = new protobuf.Root();
root.loadSync(
  fileURLToPath(new URL('../../test/helpers/otlp-proto/logs_service.proto', import.meta.url)),
);
const Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const WALK = process.env.BENCH_RECEIVER === 'walk';

/** A varint at `at`: [value, next offset] (lengths fit in 2^31). */
function varint(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 127) * 2 ** shift;
    if (b < 128) return [value, at];
    shift += 7;
  }
}

/** Calls `onField(field, start, end)` for each length-delimited field of buf[from, to). */
function fields(buf, from, to, onField) {
  let at = from;
  while (at < to) {
    let key;
    [key, at] = varint(buf, at);
    const wire = key & 7;
    if (wire === 2) {
      let length;
      [length, at] = varint(buf, at);
      onField(key >>> 3, at, at + length);
      at += length;
    } else if (wire === 0) at = varint(buf, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`wire type ${wire}`);
  }
}

/** Log records in an ExportLogsServiceRequest, counted without decoding them. */
function walkCount(buf) {
  let n = 0;
  fields(buf, 0, buf.length, (f, s, e) => {
    if (f !== 1) return; // resource_logs
    fields(buf, s, e, (f2, s2, e2) => {
      if (f2 !== 2) return; // scope_logs
      fields(buf, s2, e2, (f3) => {
        if (f3 === 2) n++; // log_records
      });
    });
  });
  return n;
}

let count = 0;
let waitingFor = Infinity;
let bad = 0;

function countRecords(tree) {
  let n = 0;
  for (const rl of tree.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) n += (sl.logRecords ?? []).length;
  }
  return n;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    try {
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      count += json
        ? countRecords(JSON.parse(body.toString('utf8')))
        : WALK
          ? walkCount(body)
          : countRecords(Request.decode(body));
    } catch {
      bad++;
    }
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
    if (count >= waitingFor) {
      waitingFor = Infinity;
      process.send({ reached: count, bad });
    }
  });
});

process.on('message', (msg) => {
  if (msg.reset) {
    count = 0;
    bad = 0;
  }
  if (msg.waitFor !== undefined) {
    waitingFor = msg.waitFor;
    if (count >= waitingFor) {
      waitingFor = Infinity;
      process.send({ reached: count, bad });
    }
  }
  if (msg.count) {
    waitingFor = Infinity;
    process.send({ count, bad });
  }
  if (msg.stop) server.close(() => process.exit(0));
});

process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
