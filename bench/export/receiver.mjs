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
      count += countRecords(json ? JSON.parse(body.toString('utf8')) : Request.decode(body));
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
