// Replays every ingest request that real clients sent in the wire captures
// (tests/fixtures/corpus/sentry-node/** and sentry-python/**) byte for byte: the body as received
// (Content-Encoding not undone, chunked when the client sent chunked) with the client's own
// headers. Only the credentials are swapped for the test project's: the captures used key
// "publickey" and project 42.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { CORPUS_DIR, startLightTrace } from './lib/harness.mjs';

const CAPTURE_KEY = 'publickey';
const CAPTURE_PROJECT = '42';
// Headers that describe the capture connection, not the request: node:http sets its own.
const CONNECTION_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function loadRequests() {
  const out = [];
  for (const client of ['sentry-node', 'sentry-python']) {
    const clientDir = path.join(CORPUS_DIR, client);
    if (!existsSync(clientDir)) continue;
    for (const scenario of readdirSync(clientDir).sort()) {
      const dir = path.join(clientDir, scenario);
      const index = path.join(dir, 'index.tsv');
      if (!existsSync(index)) continue;
      const lines = readFileSync(index, 'utf8').split('\n').filter(Boolean);
      for (const line of lines.sort()) {
        const [n, method, target] = line.split('\t');
        if (method !== 'POST') continue;
        const { pathname } = new URL(target, 'http://x');
        const m = /^\/api\/42\/(envelope|store)\/$/.exec(pathname);
        if (!m) continue;
        out.push(describe(dir, `${client}/${scenario}/${n}`, n, m[1]));
      }
    }
  }
  return out;
}

// Reads NNN.txt (request line, headers, then "# ..." notes and the recorded response).
function describe(dir, name, n, endpoint) {
  const txt = readFileSync(path.join(dir, `${n}.txt`), 'latin1');
  const head = txt.split(/\r?\n\r?\n/)[0].split(/\r?\n/);
  const [method, target] = head[0].split(' ');
  const headers = [];
  let chunked = false;
  for (const h of head.slice(1)) {
    const i = h.indexOf(':');
    const k = h.slice(0, i).trim();
    const v = h.slice(i + 1).trim();
    if (k.toLowerCase() === 'transfer-encoding' && /chunked/i.test(v)) chunked = true;
    if (CONNECTION_HEADERS.has(k.toLowerCase())) continue;
    headers.push([k, v]);
  }
  const recorded = /---- response ----[\s\S]*?\{"id":\s*"([0-9a-f]{32})"\}/.exec(txt);
  const body = readFileSync(path.join(dir, `${n}.bin`));
  let items;
  let envelopeEventId = null;
  const envJson = path.join(dir, `${n}.envelope.json`);
  if (endpoint === 'envelope') {
    const env = JSON.parse(readFileSync(envJson, 'utf8'));
    items = env.items.map((i) => i.header.type);
    envelopeEventId = env.header.event_id ?? null;
  } else {
    const ev = JSON.parse(readFileSync(path.join(dir, `${n}.json`), 'utf8'));
    items = ['event'];
    envelopeEventId = ev.event_id ?? null;
  }
  return { name, method, target, endpoint, headers, chunked, body, items, envelopeEventId, recordedId: recorded?.[1] ?? null };
}

// The decoded body, to look for an envelope-header dsn that would carry the capture key.
function decodedBody(req) {
  const enc = req.headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1]?.toLowerCase() ?? '';
  if (enc === 'gzip') return zlib.gunzipSync(req.body);
  if (enc === 'deflate') return zlib.inflateSync(req.body);
  if (enc === 'br') return zlib.brotliDecompressSync(req.body);
  return req.body;
}

function encodeLike(req, buf) {
  const enc = req.headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1]?.toLowerCase() ?? '';
  if (enc === 'gzip') return zlib.gzipSync(buf);
  if (enc === 'deflate') return zlib.deflateSync(buf);
  if (enc === 'br') return zlib.brotliCompressSync(buf);
  return buf;
}

const requests = existsSync(CORPUS_DIR) ? loadRequests() : [];
let lt;
const results = [];

before(async () => {
  lt = await startLightTrace({ project: 'replay' });
});

after(async () => {
  if (!lt) return;
  const status = await lt.stop();
  assert.deepEqual(status, { code: 0, signal: null });
});

test('the corpus is present and has both clients', () => {
  assert.ok(existsSync(CORPUS_DIR), `${CORPUS_DIR} missing`);
  assert.ok(requests.length >= 40, `only ${requests.length} ingest requests found`);
  assert.ok(requests.some((r) => r.name.startsWith('sentry-node/')));
  assert.ok(requests.some((r) => r.name.startsWith('sentry-python/') && r.endpoint === 'store'));
});

for (const req of requests) {
  test(`replay ${req.name} (${req.endpoint}: ${req.items.join(',')})`, async () => {
    // credentials: query string, X-Sentry-Auth and project id in the path
    const url = new URL(req.target, 'http://x');
    url.pathname = url.pathname.replace(`/api/${CAPTURE_PROJECT}/`, `/api/${lt.projectId}/`);
    if (url.searchParams.has('sentry_key')) {
      assert.equal(url.searchParams.get('sentry_key'), CAPTURE_KEY);
      url.searchParams.set('sentry_key', lt.key);
    }
    const headers = {};
    for (const [k, v] of req.headers) {
      if (k.toLowerCase() === 'x-sentry-auth' || k.toLowerCase() === 'authorization') {
        assert.match(v, /sentry_key=publickey\b/);
        headers[k] = v.replace(/sentry_key=publickey\b/, `sentry_key=${lt.key}`);
      } else {
        headers[k] = v;
      }
    }
    let body = req.body;
    // An envelope header dsn would name the capture key/project: rewrite it if there is one.
    if (req.endpoint === 'envelope') {
      const plain = decodedBody(req);
      const nl = plain.indexOf(10);
      const header = JSON.parse(plain.subarray(0, nl < 0 ? plain.length : nl).toString('utf8'));
      if (header.dsn) {
        const dsn = new URL(header.dsn);
        dsn.username = lt.key;
        dsn.password = '';
        dsn.host = `127.0.0.1:${lt.port}`;
        dsn.pathname = `/${lt.projectId}`;
        header.dsn = dsn.toString();
        body = encodeLike(req, Buffer.concat([Buffer.from(JSON.stringify(header)), plain.subarray(nl)]));
      }
    }
    // chunked like @sentry/node sends it: a few chunks, not one
    const parts = req.chunked ? [body.subarray(0, Math.floor(body.length / 3)), body.subarray(Math.floor(body.length / 3))] : body;
    const res = await lt.postRaw(url.pathname + url.search, { headers, body: parts, chunked: req.chunked });
    assert.equal(res.status, 200, `${req.name}: ${res.describe()}`);
    const answer = res.json();
    if (req.envelopeEventId) {
      assert.equal(answer.id, req.envelopeEventId, 'answered id = the request event id');
    } else if (answer.id !== undefined) {
      assert.match(answer.id, /^[0-9a-f]{32}$/);
    }
    results.push({ req, answer });
  });
}

test('every replayed event and transaction is readable by its event id', async () => {
  assert.equal(results.length, requests.length, 'all requests were replayed successfully');
  let events = 0;
  let transactions = 0;
  for (const { req, answer } of results) {
    const id = req.envelopeEventId ?? answer.id;
    if (req.items.includes('event')) {
      const ev = await lt.waitForEvent(id);
      assert.equal(ev.event_id, id, req.name);
      events += 1;
    }
    if (req.items.includes('transaction')) {
      const tx = await lt.waitForItem('transaction', (i) => i.eventID === id);
      assert.equal(tx.payload.type ?? 'transaction', 'transaction', req.name);
      transactions += 1;
    }
  }
  console.log(`replayed ${results.length} requests: ${events} events, ${transactions} transactions readable`);
  assert.ok(events >= 20, `events: ${events}`);
  assert.ok(transactions >= 8, `transactions: ${transactions}`);
});

test('every other replayed item is stored (count per type via /items/)', async () => {
  const expected = {};
  for (const { req } of results) {
    for (const type of req.items) {
      if (type === 'event' || type === 'transaction') continue;
      expected[type] = (expected[type] ?? 0) + 1;
    }
  }
  // the corpus has all of these kinds
  for (const type of ['session', 'sessions', 'client_report', 'attachment', 'log', 'span', 'check_in', 'feedback', 'trace_metric']) {
    assert.ok(expected[type] >= 1, `corpus has ${type} items`);
  }
  const got = {};
  for (const [type, n] of Object.entries(expected)) {
    const items = await lt.waitForItems((list) => (list.length >= n ? list : null), { type }).catch((e) => {
      throw new Error(`${type}: expected ${n} stored items. ${e.message}`);
    });
    got[type] = items.length;
  }
  console.log(`stored non-event items: ${JSON.stringify(got)}`);
  assert.deepEqual(got, expected);
  // attachments are linked to the event of their envelope
  const atts = await lt.listItems({ type: 'attachment' });
  const withAttachments = results.filter((r) => r.req.items.includes('attachment')).map((r) => r.req.envelopeEventId);
  for (const a of atts) assert.ok(withAttachments.includes(a.eventID), `attachment linked to ${a.eventID}`);
});
