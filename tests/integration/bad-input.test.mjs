// Malformed, hostile and odd requests. Every case is its own test and ends with a normal
// envelope that must still get 200 and be stored: the server stays up and loses nothing else.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import {
  envelope,
  eventEnvelope,
  newEventId,
  poll,
  rawExchange,
  rawHttp,
  request,
  runCli,
  sleep,
  startLightTrace,
  sumMetric,
} from './lib/harness.mjs';

const MiB = 1024 * 1024;
// The contract: a request must be complete (headers and body) within this many seconds of its
// first byte. Slow connections must be closed after it, generously bounded below.
const READ_TIMEOUT_S = 10;
const CLOSED_WITHIN_S = READ_TIMEOUT_S * 2.5 + 5;
let lt;

before(async () => {
  lt = await startLightTrace({ project: 'bad-input' });
});

after(async () => {
  if (!lt) return;
  const status = await lt.stop();
  assert.deepEqual(status, { code: 0, signal: null }, 'server exits 0 on SIGTERM after all of this');
});

// Runs one case, then checks the server still acknowledges and stores a normal event.
function badCase(name, fn, opts = {}) {
  test(name, opts, async () => {
    await fn();
    assert.ok(lt.server.running, 'server process is still running');
    await lt.assertHealthy(`after: ${name}`);
  });
}

function assertError(res, status, detailPattern) {
  assert.equal(res.status, status, res.describe());
  const body = res.json();
  assert.equal(typeof body.detail, 'string', `error answers carry {"detail": ...}: ${res.text}`);
  if (detailPattern) assert.match(body.detail, detailPattern);
  return body;
}

const post = (body, headers = {}) => lt.postEnvelope(body, { headers });

// ---------------------------------------------------------------------------------------------
// framing

badCase('CRLF after the envelope header → 400', async () => {
  const id = newEventId();
  const body = Buffer.from(`{"event_id":"${id}"}\r\n{"type":"event"}\r\n{"message":"crlf"}\r\n`);
  assertError(await post(body), 400);
  assert.equal(await lt.getEvent(id), null);
});

badCase('item length longer than the payload → 400', async () => {
  const id = newEventId();
  const payload = JSON.stringify({ event_id: id, message: 'short' });
  const body = Buffer.from(`{"event_id":"${id}"}\n{"type":"event","length":${payload.length + 500}}\n${payload}\n`);
  assertError(await post(body), 400);
});

badCase('item length shorter than the payload (byte after it is not a newline) → 400', async () => {
  const id = newEventId();
  const payload = JSON.stringify({ event_id: id, message: 'hello world' });
  const body = Buffer.from(`{"event_id":"${id}"}\n{"type":"event","length":10}\n${payload}\n`);
  assertError(await post(body), 400);
});

badCase('envelope header is not JSON → 400', async () => {
  assertError(await post(Buffer.from('this is not json\n{"type":"event"}\n{"message":"x"}\n')), 400);
  assertError(await post(Buffer.from('{"event_id":\n{"type":"event"}\n{}\n')), 400);
  assertError(await post(Buffer.alloc(0)), 400);
});

badCase('truncated chunked body (chunk of 1000 announced, 10 sent, connection closed)', async () => {
  const head =
    `POST ${lt.envelopePath()} HTTP/1.1\r\nHost: 127.0.0.1:${lt.port}\r\n` +
    `X-Sentry-Auth: ${lt.authHeader()}\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const r = await rawExchange(lt.port, [head, '3e8\r\n', '{"event_id'], { timeoutMs: 3000 });
  // whatever the server answered (probably nothing: the client went away), it must not be a 200
  assert.ok(!/^HTTP\/1\.1 200/.test(r.data), `truncated body acknowledged: ${r.data}`);
  // and a truncated Content-Length body likewise
  const head2 =
    `POST ${lt.envelopePath()} HTTP/1.1\r\nHost: 127.0.0.1:${lt.port}\r\n` +
    `X-Sentry-Auth: ${lt.authHeader()}\r\nContent-Length: 1000\r\n\r\n`;
  const r2 = await rawExchange(lt.port, [head2, '{"event_id'], { timeoutMs: 3000 });
  assert.ok(!/^HTTP\/1\.1 200/.test(r2.data), `truncated body acknowledged: ${r2.data}`);
});

// ---------------------------------------------------------------------------------------------
// payload content

badCase('10,000-deep nested JSON in an event item → 400 naming the nesting/depth limit', async () => {
  const id = newEventId();
  const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const payload = `{"event_id":"${id}","message":"deep","extra":${deep}}`;
  const res = await post(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]));
  assertError(res, 400, /depth|deep|nest/i);
  assert.equal(await lt.getEvent(id), null);
  const arrays = '['.repeat(10_000) + ']'.repeat(10_000);
  const res2 = await post(envelope({ event_id: newEventId() }, [{ headers: { type: 'event' }, payload: `{"extra":{"x":${arrays}}}` }]));
  assertError(res2, 400, /depth|deep|nest/i);
});

badCase('invalid UTF-8 in an event payload → 200, stored with U+FFFD in place of the bad bytes', async () => {
  const id = newEventId();
  const payload = Buffer.concat([
    Buffer.from(`{"event_id":"${id}","level":"error","message":"bad `),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' bytes","extra":{"k":"v'),
    Buffer.from([0xc3]), // a lone lead byte
    Buffer.from('"}}'),
  ]);
  const res = await post(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]));
  assert.equal(res.status, 200, res.describe());
  const ev = await lt.waitForEvent(id);
  const text = ev.message ?? ev.logentry?.formatted ?? ev.logentry?.message;
  assert.equal(text, 'bad \uFFFD\uFFFD bytes');
  assert.equal(ev.extra.k, 'v\uFFFD');
  assert.ok(ev.errors.some((e) => e.type === 'invalid_data' && e.count === 3), JSON.stringify(ev.errors));
});

badCase('lone surrogate escape and an integer beyond 64 bits → 200, stored with U+FFFD and a float', async () => {
  const id = newEventId();
  const payload = `{"event_id":"${id}","message":"cut \\ud83d here","extra":{"big":123456789012345678901234567890}}`;
  const res = await post(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]));
  assert.equal(res.status, 200, res.describe());
  const ev = await lt.waitForEvent(id);
  assert.equal(ev.logentry.formatted, 'cut \uFFFD here');
  assert.equal(ev.extra.big, 1.2345678901234568e29);
});

badCase('invalid UTF-8 does not hide other problems: also 10,000 deep → 400', async () => {
  const id = newEventId();
  const payload = Buffer.concat([
    Buffer.from(`{"event_id":"${id}","message":"bad `),
    Buffer.from([0xff]),
    Buffer.from(`","extra":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
  ]);
  const res = await post(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]));
  assertError(res, 400, /depth|deep|nest/i);
});

badCase('unknown item type → 200, the other items stored', async () => {
  const id = newEventId();
  const sid = crypto.randomUUID().replaceAll('-', '');
  const body = envelope({ event_id: id }, [
    { headers: { type: 'x_lighttrace_unknown_kind' }, payload: '{"anything":true}' },
    { headers: { type: 'event' }, payload: { event_id: id, message: 'next to an unknown item' } },
    { headers: { type: 'totally-unknown', content_type: 'application/octet-stream' }, payload: Buffer.from([0, 1, 2, 255]) },
    { headers: { type: 'session' }, payload: { sid, init: true, started: new Date().toISOString(), status: 'ok', attrs: { release: 'r@1' } } },
  ]);
  const dropped = async () => sumMetric(await lt.metrics(), 'lighttrace_pipeline_dropped_total');
  const droppedBefore = await dropped();
  const res = await post(body);
  assert.equal(res.status, 200, res.describe());
  assert.equal(res.json().id, id);
  assert.equal((await lt.waitForEvent(id)).event_id, id);
  await lt.waitForItem('session', (i) => i.payload?.sid === sid);
  // the two unknown items are counted as dropped, not silently lost
  await poll('unknown items counted in lighttrace_pipeline_dropped_total', async () => (await dropped()) >= droppedBefore + 2);
});

for (const encoding of ['UTF-8', '']) {
  badCase(`Content-Encoding: ${JSON.stringify(encoding)} is treated as identity`, async () => {
    const id = newEventId();
    const res = await post(eventEnvelope(id, { message: `encoding ${JSON.stringify(encoding)}` }), { 'Content-Encoding': encoding });
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.json().id, id);
    const ev = await lt.waitForEvent(id);
    assert.equal(ev.event_id, id);
  });
}

badCase('unknown Content-Encoding and corrupt gzip → 400', async () => {
  assertError(await post(eventEnvelope(newEventId()), { 'Content-Encoding': 'lzma' }), 400);
  const gz = zlib.gzipSync(eventEnvelope(newEventId()));
  gz[gz.length >> 1] ^= 0xff;
  gz[(gz.length >> 1) + 1] ^= 0xff;
  const res = await post(gz.subarray(0, gz.length - 12), { 'Content-Encoding': 'gzip' });
  assertError(res, 400);
});

// ---------------------------------------------------------------------------------------------
// size limits and compression bombs

const GiB = 1024 * MiB;
const ZERO_CHUNK = Buffer.alloc(16 * MiB);

async function compressZeros(stream, total) {
  const parts = [];
  stream.on('data', (d) => parts.push(d));
  const done = new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (let n = 0; n < total; n += ZERO_CHUNK.length) {
    if (!stream.write(ZERO_CHUNK)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
  return Buffer.concat(parts);
}

function zstdZeros(total) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `head -c ${total} /dev/zero | zstd -q -c -3`]);
    const parts = [];
    child.stdout.on('data', (d) => parts.push(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`zstd exited ${code} (install zstd)`))));
  });
}

// The server must stop decoding at its limit: its peak memory stays far below the 1 GiB a bomb
// would inflate to.
function assertBoundedMemory(what) {
  const mem = lt.server.memory();
  if (!mem) return; // not Linux
  assert.ok(mem.peak < 400 * MiB, `${what}: server peak RSS ${(mem.peak / MiB).toFixed(0)} MiB, the bomb was inflated`);
}

let gzipBomb;

badCase('gzip bomb (1 GiB of zeros, ~1000:1) → 413 without inflating it', async () => {
  gzipBomb = await compressZeros(zlib.createGzip({ level: 9 }), GiB);
  assert.ok(gzipBomb.length < 2 * MiB, `bomb is ${gzipBomb.length} bytes`);
  const started = Date.now();
  assertError(await post(gzipBomb, { 'Content-Encoding': 'gzip' }), 413);
  console.log(`gzip bomb: ${gzipBomb.length} bytes → 413 in ${Date.now() - started} ms`);
  assertBoundedMemory('gzip bomb');
});

badCase('deflate bomb → 413', async () => {
  // the same deflate stream in a zlib wrapper: 0x78 0xDA, raw deflate, adler32 of 1 GiB of zeros
  const raw = gzipBomb.subarray(10, gzipBomb.length - 8);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((GiB % 65521) << 16) | 1) >>> 0);
  const body = Buffer.concat([Buffer.from([0x78, 0xda]), raw, adler]);
  assertError(await post(body, { 'Content-Encoding': 'deflate' }), 413);
  assertBoundedMemory('deflate bomb');
});

badCase('brotli bomb → 413', async () => {
  const bomb = await compressZeros(zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }), GiB);
  assert.ok(bomb.length < MiB);
  assertError(await post(bomb, { 'Content-Encoding': 'br' }), 413);
  assertBoundedMemory('brotli bomb');
});

badCase('zstd bomb → 413', async () => {
  const bomb = await zstdZeros(GiB);
  assert.ok(bomb.length < MiB);
  assertError(await post(bomb, { 'Content-Encoding': 'zstd' }), 413);
  assertBoundedMemory('zstd bomb');
});

badCase('a decoded body just over 50 MiB → 413, a 30 MiB one is accepted', async () => {
  // an attachment of zeros: tiny compressed, big decoded; event items themselves stay small
  const make = (size) => {
    const id = newEventId();
    return {
      id,
      body: zlib.gzipSync(
        envelope({ event_id: id }, [
          { headers: { type: 'event' }, payload: { event_id: id, message: `decoded ${size}` } },
          { headers: { type: 'attachment', filename: 'zeros.bin' }, payload: Buffer.alloc(size) },
        ]),
        { level: 1 },
      ),
    };
  };
  const big = make(51 * MiB);
  assertError(await post(big.body, { 'Content-Encoding': 'gzip' }), 413);
  const ok = make(30 * MiB);
  const res = await post(ok.body, { 'Content-Encoding': 'gzip' });
  assert.equal(res.status, 200, res.describe());
  await lt.waitForEvent(ok.id);
});

badCase('an event item over 1 MiB → 413', async () => {
  const id = newEventId();
  const body = eventEnvelope(id, { extra: { blob: 'x'.repeat(MiB + 1024) } });
  assertError(await post(body), 413);
  assert.equal(await lt.getEvent(id), null);
  // the same through legacy /store/
  const res = await lt.postRaw(lt.storePath(), {
    headers: { 'X-Sentry-Auth': lt.authHeader() },
    body: JSON.stringify({ event_id: id, extra: { blob: 'x'.repeat(MiB + 1024) } }),
  });
  assertError(res, 413);
});

function bigBodyHead(extra) {
  return `POST ${lt.envelopePath()} HTTP/1.1\r\nHost: 127.0.0.1:${lt.port}\r\nX-Sentry-Auth: ${lt.authHeader()}\r\n${extra}`;
}

function chunksOf(buf, size) {
  const out = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

badCase('a body over 20 MiB → 413 that reaches the client (Content-Length and chunked, 10 times each)', async () => {
  const id = newEventId();
  const body = envelope({ event_id: id }, [
    { headers: { type: 'event' }, payload: { event_id: id, message: 'huge body' } },
    { headers: { type: 'attachment', filename: 'big.bin' }, payload: Buffer.alloc(21 * MiB, 0x61) },
  ]);
  const chunked = chunksOf(body, MiB).map((c) => Buffer.concat([Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]));
  chunked.push(Buffer.from('0\r\n\r\n'));
  // The server may answer before it read the whole body; the answer must still arrive (a
  // close with unread input sends RST, which can destroy the 413 before the client reads it).
  // Repeated because that loss is a race.
  const tally = {};
  for (let i = 0; i < 10; i++) {
    for (const [framing, head, parts] of [
      ['content-length', bigBodyHead(`Content-Length: ${body.length}`), chunksOf(body, MiB)],
      ['chunked', bigBodyHead('Transfer-Encoding: chunked'), chunked],
    ]) {
      const r = await rawHttp(lt.port, head, parts);
      const key = `${framing} → ${r.status === null ? 'closed without an answer' : r.status}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
  }
  assert.deepEqual(tally, { 'content-length → 413': 10, 'chunked → 413': 10 }, 'every over-limit request sees its 413');
  assert.equal(await lt.getEvent(id), null);
});

// ---------------------------------------------------------------------------------------------
// auth

badCase('wrong key → 403', async () => {
  const res = await post(eventEnvelope(newEventId()), { 'X-Sentry-Auth': lt.authHeader('0'.repeat(32)) });
  assertError(res, 403);
});

badCase('missing auth → 401', async () => {
  const res = await lt.postRaw(lt.envelopePath(), { headers: {}, body: eventEnvelope(newEventId()) });
  assertError(res, 401);
});

badCase('two auth forms → 401', async () => {
  const q = `?sentry_key=${lt.key}&sentry_version=7`;
  const res = await lt.postRaw(lt.envelopePath() + q, {
    headers: { 'X-Sentry-Auth': lt.authHeader() },
    body: eventEnvelope(newEventId()),
  });
  assertError(res, 401);
  const res2 = await lt.postRaw(lt.envelopePath(), {
    headers: { 'X-Sentry-Auth': lt.authHeader(), Authorization: `Sentry sentry_key=${lt.key}` },
    body: eventEnvelope(newEventId()),
  });
  assertError(res2, 401);
});

badCase('unknown project id → 403; key of another project → 403', async () => {
  assertError(await lt.postEnvelope(eventEnvelope(newEventId()), { projectId: '987654' }), 403);
  const other = await runCli(['project', 'create', '--org', lt.org, '--project', 'bad-input-other', '--data', lt.dataDir]);
  assert.equal(other.code, 0, other.stderr);
  const otherKey = new URL(other.stdout.trim()).username;
  const res = await post(eventEnvelope(newEventId()), { 'X-Sentry-Auth': lt.authHeader(otherKey) });
  assertError(res, 403);
});

badCase('every auth form is accepted (X-Sentry-Auth, Authorization: Sentry, Basic, query, envelope dsn)', async () => {
  const forms = {
    'x-sentry-auth': { headers: { 'X-Sentry-Auth': lt.authHeader() } },
    'authorization-sentry': { headers: { Authorization: `Sentry sentry_key=${lt.key}, sentry_version=7` } },
    basic: { headers: { Authorization: `Basic ${Buffer.from(`${lt.key}:`).toString('base64')}` } },
    query: { query: `?sentry_key=${lt.key}&sentry_version=7&sentry_client=it%2F1` },
    'envelope-dsn': { dsn: true },
  };
  for (const [name, f] of Object.entries(forms)) {
    const id = newEventId();
    const header = { event_id: id };
    if (f.dsn) header.dsn = `http://${lt.key}@127.0.0.1:${lt.port}/${lt.projectId}`;
    const body = envelope(header, [{ headers: { type: 'event' }, payload: { event_id: id, message: `auth ${name}` } }]);
    const res = await lt.postRaw(lt.envelopePath() + (f.query ?? ''), { headers: f.headers ?? {}, body });
    assert.equal(res.status, 200, `${name}: ${res.describe()}`);
    assert.equal((await lt.waitForEvent(id)).event_id, id, name);
  }
});

// ---------------------------------------------------------------------------------------------
// slow clients

badCase('slowloris: one header byte per second is cut off by the read timeout; others keep being served', { timeout: 90_000 }, async () => {
  const SLOW = 20;
  const started = Date.now();
  const slow = [];
  for (let i = 0; i < SLOW; i++) {
    slow.push(
      new Promise((resolve) => {
        const sock = net.connect(lt.port, '127.0.0.1');
        let timer;
        let sent = 0;
        const finish = (why) => {
          clearInterval(timer);
          sock.destroy();
          resolve({ why, seconds: (Date.now() - started) / 1000, sent });
        };
        sock.on('connect', () => {
          sock.write(`POST ${lt.envelopePath()} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
          timer = setInterval(() => {
            if (Date.now() - started > CLOSED_WITHIN_S * 1000) return finish(`still open after ${CLOSED_WITHIN_S} s`);
            sock.write('a');
            sent += 1;
          }, 1000);
        });
        sock.on('close', () => finish('closed by server'));
        sock.on('error', () => finish('closed by server'));
      }),
    );
  }
  // normal traffic during the attack
  const normal = [];
  let stop = false;
  const worker = (async () => {
    while (!stop) {
      const t0 = Date.now();
      const id = newEventId();
      const res = await lt.postEnvelope(eventEnvelope(id, { message: 'during slowloris' }));
      normal.push({ status: res.status, ms: Date.now() - t0, id });
      await sleep(250);
    }
  })();
  const slowResults = await Promise.all(slow);
  stop = true;
  await worker;
  for (const s of slowResults) {
    assert.equal(s.why, 'closed by server', `a slow connection was never timed out: ${JSON.stringify(s)}`);
    assert.ok(s.seconds >= READ_TIMEOUT_S / 2, `closed after ${s.seconds} s (read timeout is ${READ_TIMEOUT_S} s)`);
  }
  const slowest = Math.max(...slowResults.map((s) => s.seconds));
  assert.ok(normal.length >= 10, `only ${normal.length} normal requests completed during the attack`);
  for (const n of normal) assert.equal(n.status, 200);
  const worstNormal = Math.max(...normal.map((n) => n.ms)) / 1000;
  console.log(`slowloris: ${SLOW} slow connections closed after ≤ ${slowest.toFixed(1)} s; ${normal.length} normal requests, slowest ${worstNormal.toFixed(3)} s`);
  assert.ok(worstNormal < slowest / 2, `normal requests were held up (${worstNormal} s) by the slow ones`);
  assert.ok(worstNormal < 5, `a normal request took ${worstNormal} s during the attack`);
  await lt.waitForEvent(normal.at(-1).id);
});

badCase('slow body: headers sent, then the body stalls → connection closed after the read timeout', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const head =
    `POST ${lt.envelopePath()} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Sentry-Auth: ${lt.authHeader()}\r\n` +
    `Content-Length: 5000\r\n\r\n{"event_id":`;
  const r = await rawExchange(lt.port, [head], { timeoutMs: CLOSED_WITHIN_S * 1000, endAfter: false });
  const seconds = (Date.now() - started) / 1000;
  assert.notEqual(r.why, 'timeout', `server did not close a stalled body within ${CLOSED_WITHIN_S} s (read timeout ${READ_TIMEOUT_S} s)`);
  assert.ok(seconds >= READ_TIMEOUT_S / 2, `closed after ${seconds} s, before the read timeout`);
  assert.ok(!/^HTTP\/1\.1 200/.test(r.data), r.data);
});

// ---------------------------------------------------------------------------------------------

test('the rejected requests are counted in the metrics', async () => {
  const m = await lt.metrics();
  for (const status of ['400', '401', '403', '413']) {
    assert.ok(sumMetric(m, 'lighttrace_http_requests_total', (l) => l.status === status) >= 1, `status ${status} counted`);
  }
  const health = await request(lt.baseUrl, '/healthz', { method: 'GET' });
  assert.equal(health.status, 200);
});
