// A loopback OTLP/HTTP protobuf logs receiver for the delivery benchmark: it
// counts records by body (`<tag>:<n>`), so duplicates show, and can be
// stopped and started on the same port.
import { createServer } from 'node:http';

function bodies(buf, path, depth, out) {
  let pos = 0;
  const varint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = varint();
      const sub = buf.subarray(pos, pos + len);
      pos += len;
      if (field === path[depth]) {
        if (depth === path.length - 1) out.push(sub.toString('utf8'));
        else bodies(sub, path, depth + 1, out);
      }
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

export async function startReceiver() {
  const seen = new Map();
  const sockets = new Set();
  let server;
  let port = 0;
  const count = (body) => {
    const at = body.lastIndexOf(':');
    const tag = body.slice(0, at);
    const n = Number(body.slice(at + 1));
    let counts = seen.get(tag) ?? new Uint8Array(1024);
    if (n >= counts.length) {
      const grown = new Uint8Array(Math.max(n + 1, counts.length * 2));
      grown.set(counts);
      counts = grown;
    }
    seen.set(tag, counts);
    if (counts[n] < 255) counts[n]++;
  };
  const handle = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        const type = req.headers['content-type'] ?? '';
        const data = Buffer.concat(chunks);
        const list = type.startsWith('application/json')
          ? JSON.parse(data)
              .resourceLogs.flatMap((rl) => rl.scopeLogs)
              .flatMap((sl) => sl.logRecords)
              .map((lr) => lr.body?.stringValue ?? '')
          : bodies(data, [1, 2, 2, 5, 1], 0, []);
        for (const b of list) count(b);
        res.writeHead(200, { 'content-type': type || 'application/x-protobuf' });
        res.end(type.startsWith('application/json') ? '{}' : '');
      } catch (error) {
        res.writeHead(400);
        res.end(String(error));
      }
    });
  };
  const start = async () => {
    server = createServer(handle);
    server.keepAliveTimeout = 60_000;
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
    port = server.address().port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise((ok) => s.close(ok));
  };
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    start,
    stop,
    /** Distinct records of `tag` received, and how many arrived more than once. */
    tally(tag) {
      const counts = seen.get(tag) ?? new Uint8Array(0);
      let distinct = 0;
      let duplicated = 0;
      for (const c of counts) {
        if (c > 0) distinct++;
        if (c > 1) duplicated++;
      }
      return { distinct, duplicated };
    },
  };
}
