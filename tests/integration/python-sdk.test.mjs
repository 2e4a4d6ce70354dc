// sentry-python 1.9.10 (Debian python3-sentry-sdk, run by /usr/bin/python3), unmodified, plus
// the other body encodings real SDKs use (br, zstd, deflate) and the legacy /store/ body forms.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { envelope, eventEnvelope, newEventId, pythonClient, startLightTrace } from './lib/harness.mjs';
import { assertAllAcked, assertAllStored, idsOf } from './lib/verify.mjs';

let lt;

before(async () => {
  lt = await startLightTrace({ project: 'python-app' });
});

after(async () => {
  if (!lt) return;
  const status = await lt.stop();
  assert.deepEqual(status, { code: 0, signal: null });
});

async function runScenario(script) {
  const result = await pythonClient(script, { dsn: lt.dsn });
  const sent = assertAllAcked(result);
  for (const r of sent) assert.equal(r.contentEncoding, 'gzip', 'sentry-python 1.9.10 always gzips');
  const stored = await assertAllStored(lt, result);
  return { result, sent, ...stored };
}

test('capture_exception with explicit and implicit chains (legacy /store/, gzip)', async () => {
  const { result, sent, events } = await runScenario('exception.py');
  assert.ok(sent.every((r) => r.endpoint === 'store'), 'errors go to /store/');
  const explicit = events.get(idsOf(result, 'explicit-chain')[0]);
  assert.ok(explicit);
  assert.deepEqual(explicit.exception.values.map((v) => v.type), ['KeyError', 'PriceError'], 'cause first');
  assert.match(explicit.exception.values[1].value, /item has no price/);
  const frames = explicit.exception.values[1].stacktrace.frames;
  assert.ok(frames.some((f) => f.function === 'parse_price'), 'frames kept');
  assert.equal(explicit.platform, 'python');
  const implicit = events.get(idsOf(result, 'implicit-chain')[0]);
  assert.ok(implicit);
  assert.deepEqual(implicit.exception.values.map((v) => v.type), ['KeyError', 'ZeroDivisionError']);
});

test('capture_message and a logging.error record', async () => {
  const { result, sent, events } = await runScenario('message.py');
  assert.equal(sent.length, 2);
  const msg = events.get(idsOf(result, 'message')[0]);
  assert.ok(msg);
  assert.equal(msg.level, 'warning');
  const text = msg.logentry?.formatted ?? msg.logentry?.message ?? msg.message;
  assert.equal(text, 'Plain message from python');
  const logId = sent.map((r) => r.eventId).find((id) => id !== msg.event_id);
  const log = events.get(logId);
  assert.ok(log, 'the logging event is stored');
  assert.equal(log.logger, 'shop.auth');
  assert.equal(log.logentry?.message, 'User %s failed to login %d times');
  assert.deepEqual(log.logentry?.params, ['jane', 3]);
});

test('a transaction with child spans (envelope, gzip) and an error inside it', async () => {
  const { result, items, events } = await runScenario('transaction.py');
  const { traceId } = result.records.find((r) => r.kind === 'trace');
  const tx = [...items.values()].find((i) => i.type === 'transaction');
  assert.ok(tx, 'transaction stored');
  assert.match(tx.eventID, /^[0-9a-f]{32}$/);
  assert.equal(tx.payload.transaction, 'process-order');
  assert.equal(tx.payload.contexts.trace.trace_id, traceId);
  assert.deepEqual(tx.payload.spans.map((s) => s.op).sort(), ['db.query', 'function', 'http.client']);
  const err = events.get(idsOf(result, 'error-in-transaction')[0]);
  assert.ok(err);
  assert.equal(err.contexts.trace.trace_id, traceId);
});

test('release health: application session and WSGI request sessions', async () => {
  const { items } = await runScenario('sessions.py');
  const session = [...items.values()].find((i) => i.type === 'session');
  assert.ok(session, 'session item stored');
  assert.equal(session.payload.status, 'exited');
  assert.equal(session.payload.errors, 1);
  assert.equal(session.payload.attrs.release, 'demo@1.2.3');
  const agg = [...items.values()].find((i) => i.type === 'sessions');
  assert.ok(agg, 'sessions item stored');
  const buckets = agg.payload.aggregates;
  const total = (k) => buckets.reduce((n, b) => n + (b[k] ?? 0), 0);
  assert.equal(total('exited') + total('errored') + total('crashed'), 4, 'four requests');
  assert.equal(total('crashed'), 1, '/boom crashed');
});

test('an event with attachments: length-framed items, bytes kept exactly', async () => {
  const { result, items, events } = await runScenario('attachment.py');
  const id = idsOf(result, 'attachment')[0];
  assert.ok(events.get(id));
  const atts = [...items.values()].filter((i) => i.type === 'attachment');
  assert.equal(atts.length, 2);
  for (const a of atts) assert.equal(a.eventID, id);
  const hex = atts.map((a) => Buffer.from(a.payloadBase64, 'base64').toString('hex')).sort();
  assert.deepEqual(hex, [Buffer.from('key=value\nline2\n').toString('hex'), Buffer.from([0, 1, 2, 10, 13, 255, 10]).toString('hex')].sort());
});

// ---------------------------------------------------------------------------------------------
// Content-Encoding: every encoding real SDKs send, on both endpoints.

function zstdCompress(buf) {
  if (typeof zlib.zstdCompressSync === 'function') return zlib.zstdCompressSync(buf);
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: buf, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) {
    throw new Error(`zstd CLI failed (install the zstd package: scripts/test-deps.sh): ${r.error ?? r.stderr}`);
  }
  return r.stdout;
}

const ENCODERS = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b), // zlib-wrapped, as HTTP "deflate" means
  br: (b) => zlib.brotliCompressSync(b),
  zstd: zstdCompress,
};

for (const [encoding, encode] of Object.entries(ENCODERS)) {
  test(`envelope with Content-Encoding: ${encoding} (event + transaction + session)`, async () => {
    const id = newEventId();
    const txId = newEventId();
    const sid = crypto.randomUUID();
    const plain = envelope({ event_id: id, sent_at: new Date().toISOString() }, [
      { headers: { type: 'event' }, payload: { event_id: id, message: `encoded ${encoding}`, level: 'error', platform: 'python', extra: { pad: 'x'.repeat(5000) } } },
      { headers: { type: 'session' }, payload: { sid, init: true, started: new Date().toISOString(), status: 'exited', attrs: { release: 'demo@1.2.3' } } },
    ]);
    const body = encode(plain);
    assert.notDeepEqual(body, plain);
    const res = await lt.postEnvelope(body, { headers: { 'Content-Encoding': encoding } });
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.json().id, id);
    const ev = await lt.waitForEvent(id);
    assert.equal(ev.message ?? ev.logentry?.formatted ?? ev.logentry?.message, `encoded ${encoding}`);
    assert.equal(ev.extra.pad.length, 5000);
    await lt.waitForItem('session', (i) => i.payload?.sid === sid);

    const tx = envelope({ event_id: txId }, [
      {
        headers: { type: 'transaction' },
        payload: {
          event_id: txId,
          type: 'transaction',
          transaction: `tx ${encoding}`,
          start_timestamp: Date.now() / 1000 - 1,
          timestamp: Date.now() / 1000,
          contexts: { trace: { trace_id: newEventId(), span_id: newEventId().slice(0, 16), op: 'task' } },
          spans: [],
        },
      },
    ]);
    const res2 = await lt.postEnvelope(encode(tx), { headers: { 'Content-Encoding': encoding } });
    assert.equal(res2.status, 200, res2.describe());
    const stored = await lt.waitForItem('transaction', (i) => i.eventID === txId);
    assert.equal(stored.payload.transaction, `tx ${encoding}`);
  });

  test(`legacy /store/ with Content-Encoding: ${encoding}`, async () => {
    const id = newEventId();
    const event = { event_id: id, message: `store ${encoding}`, level: 'warning', platform: 'python' };
    const res = await lt.postRaw(lt.storePath(), {
      headers: { 'X-Sentry-Auth': lt.authHeader(), 'Content-Type': 'application/json', 'Content-Encoding': encoding },
      body: encode(Buffer.from(JSON.stringify(event))),
    });
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.json().id, id);
    const ev = await lt.waitForEvent(id);
    assert.equal(ev.level, 'warning');
  });
}

test('legacy /store/ bodies: base64(JSON) and base64(zlib(JSON)) (raven-era clients)', async () => {
  for (const [form, encode] of [
    ['base64', (b) => b.toString('base64')],
    ['base64+zlib', (b) => zlib.deflateSync(b).toString('base64')],
  ]) {
    const id = newEventId();
    const event = { event_id: id, message: `legacy ${form}`, level: 'error', platform: 'python' };
    const res = await lt.postRaw(lt.storePath(), {
      headers: { 'X-Sentry-Auth': lt.authHeader(), 'Content-Type': 'application/octet-stream' },
      body: encode(Buffer.from(JSON.stringify(event))),
    });
    assert.equal(res.status, 200, `${form}: ${res.describe()}`);
    assert.equal(res.json().id, id);
    const ev = await lt.waitForEvent(id);
    assert.equal(ev.event_id, id);
  }
});

test('an event without event_id gets one: the answered id is the stored id', async () => {
  const res = await lt.postRaw(lt.storePath(), {
    headers: { 'X-Sentry-Auth': lt.authHeader(), 'Content-Encoding': 'gzip' },
    body: zlib.gzipSync(JSON.stringify({ message: 'no id here', level: 'info' })),
  });
  assert.equal(res.status, 200, res.describe());
  const { id } = res.json();
  assert.match(id, /^[0-9a-f]{32}$/);
  const ev = await lt.waitForEvent(id);
  assert.equal(ev.event_id, id);
  // envelope header event_id wins over the payload's
  const headerId = newEventId();
  const payloadId = newEventId();
  const res2 = await lt.postEnvelope(
    envelope({ event_id: headerId }, [{ headers: { type: 'event' }, payload: { event_id: payloadId, message: 'two ids' } }]),
  );
  assert.equal(res2.status, 200, res2.describe());
  assert.equal(res2.json().id, headerId);
  const ev2 = await lt.waitForEvent(headerId);
  assert.equal(ev2.event_id, headerId);
  // sanity: a plain gzip envelope still works after all of the above
  const probe = newEventId();
  const res3 = await lt.postEnvelope(zlib.gzipSync(eventEnvelope(probe)), { headers: { 'Content-Encoding': 'gzip' } });
  assert.equal(res3.status, 200, res3.describe());
});
