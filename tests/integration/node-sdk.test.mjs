// @sentry/node 11.12.0, unmodified, pointed at LightTrace through the DSN that
// `lighttrace project create` printed. Each scenario is a real client process
// (clients/node/*.mjs); the test checks that every envelope got 200 and that every item the SDK
// sent is stored and readable.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nodeClient, startLightTrace, sumMetric } from './lib/harness.mjs';
import { assertAllAcked, assertAllStored, idsOf, sentItems } from './lib/verify.mjs';

let lt;
let envelopesSent = 0;

before(async () => {
  lt = await startLightTrace({ project: 'node-app' });
});

after(async () => {
  if (!lt) return;
  const status = await lt.stop();
  assert.deepEqual(status, { code: 0, signal: null }, 'SIGTERM must drain and exit 0');
});

function messageText(ev) {
  if (ev.logentry) return ev.logentry.formatted ?? ev.logentry.message;
  if (typeof ev.message === 'string') return ev.message;
  return ev.message?.formatted ?? ev.message?.message;
}

function tagValue(ev, key) {
  if (Array.isArray(ev.tags)) return ev.tags.find(([k]) => k === key)?.[1];
  return ev.tags?.[key];
}

async function runScenario(script, opts = {}) {
  const result = await nodeClient(script, { dsn: lt.dsn });
  envelopesSent += assertAllAcked(result, opts).length;
  const stored = await assertAllStored(lt, result);
  return { result, ...stored };
}

test('DSN printed by project create is the one the SDK uses', () => {
  assert.match(lt.dsn, /^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
  assert.equal(new URL(lt.dsn).port, String(lt.port));
});

test('exception with a cause chain (linkedErrors)', async () => {
  const { result, events } = await runScenario('exception.mjs');
  const [id] = idsOf(result, 'exception');
  assert.match(id, /^[0-9a-f]{32}$/);
  const ev = events.get(id);
  assert.ok(ev, 'the captured exception is stored under the id captureException returned');
  const values = ev.exception.values;
  assert.equal(values.length, 2, 'error + its cause');
  const types = values.map((v) => v.type);
  assert.ok(types.includes('SyntaxError'), `types: ${types}`);
  assert.ok(types.includes('Error'), `types: ${types}`);
  const outer = values.find((v) => v.type === 'Error');
  assert.equal(outer.value, 'Failed to load config');
  assert.ok(outer.stacktrace.frames.length > 0, 'stack trace kept');
  assert.equal(tagValue(ev, 'chained'), 'yes');
  assert.equal(ev.release, 'demo@1.2.3');
  assert.equal(ev.level, 'error');
  // the release-health session sent along
  assert.ok(sentItems(result).some((i) => i.type === 'session'));
});

test('captureMessage (parameterized and plain)', async () => {
  const { result, events } = await runScenario('message.mjs');
  const param = events.get(idsOf(result, 'message-param')[0]);
  assert.ok(param, 'parameterized message stored');
  assert.equal(param.level, 'warning');
  assert.match(messageText(param), /failed to login/);
  assert.ok(JSON.stringify(param).includes('jane'), 'message params kept');
  const plain = events.get(idsOf(result, 'message-plain')[0]);
  assert.ok(plain, 'plain message stored');
  assert.equal(plain.level, 'info');
  assert.equal(messageText(plain), 'Plain message with fingerprint');
  assert.deepEqual(plain.fingerprint, ['plain-msg']);
  assert.ok(plain.breadcrumbs, 'breadcrumbs kept');
});

test('unhandled exception: OnUncaughtException sends it, then the process exits 1', async () => {
  const { result, events, items } = await runScenario('crash.mjs', { exitCode: 1 });
  const captured = result.records.filter((r) => r.kind === 'captured');
  assert.equal(captured.length, 1);
  const ev = events.get(captured[0].eventId);
  assert.ok(ev, 'crash event stored');
  const exc = ev.exception.values.at(-1);
  assert.equal(exc.type, 'ReferenceError');
  assert.match(exc.value, /undefinedFunctionCall/);
  assert.equal(exc.mechanism?.handled, false);
  assert.equal(ev.level, 'fatal');
  const sessions = [...items.values()].filter((i) => i.type === 'session');
  assert.equal(sessions.length, 1, 'the crashed session is stored');
  assert.equal(sessions[0].payload.status, 'crashed');
});

test('classic transaction (traceLifecycle static) with child spans, and an error inside it', async () => {
  const { result, events, items } = await runScenario('tracing-static.mjs');
  const txRecord = result.records.find((r) => r.kind === 'captured' && r.type === 'transaction');
  assert.ok(txRecord);
  const tx = [...items.values()].find((i) => i.type === 'transaction');
  assert.ok(tx, 'transaction stored');
  assert.equal(tx.eventID, txRecord.eventId);
  assert.equal(tx.payload.type, 'transaction');
  assert.equal(tx.payload.transaction, 'GET /checkout');
  assert.equal(tx.payload.contexts.trace.trace_id, txRecord.traceId);
  assert.deepEqual(tx.payload.spans.map((s) => s.description).sort(), ['fetch inventory', 'load cart', 'price items']);
  const err = events.get(idsOf(result, 'error-in-span')[0]);
  assert.ok(err, 'error captured inside the span stored');
  assert.equal(err.contexts.trace.trace_id, txRecord.traceId, 'error carries the trace id');
  assert.equal(err.exception.values.at(-1).type, 'TypeError');
});

test('span streaming (v2 span container items)', async () => {
  const { result, items } = await runScenario('tracing-stream.mjs');
  const traceId = result.records.find((r) => r.kind === 'trace').traceId;
  const sentSpans = sentItems(result).filter((i) => i.type === 'span');
  assert.ok(sentSpans.length >= 1, 'the SDK sent span items');
  for (const s of sentSpans) {
    assert.equal(s.headers.content_type, 'application/vnd.sentry.items.span.v2+json');
    assert.equal(s.headers.item_count, s.json.items.length);
  }
  const stored = [...items.values()].filter((i) => i.type === 'span');
  const names = stored.flatMap((i) => i.payload.items.map((s) => s.name)).sort();
  assert.deepEqual(names, ['GET /checkout', 'fetch inventory', 'load cart', 'price items']);
  for (const i of stored) {
    assert.equal(i.eventID, null, 'span containers have no event id');
    for (const s of i.payload.items) assert.equal(s.trace_id, traceId);
  }
});

test('release health in server mode (sessions aggregates)', async () => {
  const { result, items, events } = await runScenario('sessions-server.mjs');
  const agg = [...items.values()].filter((i) => i.type === 'sessions');
  assert.equal(agg.length, 1, 'one sessions item');
  const buckets = agg[0].payload.aggregates;
  const total = (k) => buckets.reduce((n, b) => n + (b[k] ?? 0), 0);
  assert.equal(total('exited'), 2);
  assert.equal(total('errored'), 1);
  assert.equal(agg[0].payload.attrs.release, 'demo@1.2.3');
  assert.ok(events.get(idsOf(result, 'request-error')[0]), 'the request error is stored');
});

test('structured logs and trace metrics', async () => {
  const { items } = await runScenario('logs.mjs');
  const logs = [...items.values()].filter((i) => i.type === 'log');
  assert.ok(logs.length >= 1, 'log container stored');
  const bodies = logs.flatMap((i) => i.payload.items.map((l) => l.body));
  assert.ok(bodies.includes('User logged in'), `bodies: ${bodies}`);
  assert.ok(bodies.includes('Cart ord-9 has 3 items over limit'), `bodies: ${bodies}`);
  assert.ok(bodies.includes('Payment declined card_expired for u-123'), `bodies: ${bodies}`);
  const levels = logs.flatMap((i) => i.payload.items.map((l) => l.level));
  assert.ok(levels.includes('error') && levels.includes('warn') && levels.includes('info'), `levels: ${levels}`);
  const metrics = [...items.values()].filter((i) => i.type === 'trace_metric');
  const names = metrics.flatMap((i) => i.payload.items.map((m) => m.name)).sort();
  assert.deepEqual(names, ['checkout.attempt', 'checkout.latency', 'queue.depth']);
});

test('attachments (scope.addAttachment): text and binary bytes kept exactly', async () => {
  const { result, items, events } = await runScenario('attachments.mjs');
  const id = idsOf(result, 'attachments')[0];
  assert.ok(events.get(id), 'event stored');
  const atts = [...items.values()].filter((i) => i.type === 'attachment');
  assert.equal(atts.length, 2);
  for (const a of atts) {
    assert.equal(a.eventID, id, 'attachment linked to its event');
    assert.equal(typeof a.payloadBase64, 'string');
  }
  const contents = atts.map((a) => Buffer.from(a.payloadBase64, 'base64').toString('hex')).sort();
  assert.deepEqual(contents, [Buffer.from([0, 1, 2, 10, 13, 255, 10]).toString('hex'), Buffer.from('key=value\nline2\n').toString('hex')].sort());
});

test('client report for events dropped in beforeSend / beforeSendTransaction', async () => {
  const { result, items, events } = await runScenario('clientreport.mjs');
  assert.ok(events.get(idsOf(result, 'kept')[0]), 'the kept message is stored');
  const reports = [...items.values()].filter((i) => i.type === 'client_report');
  assert.equal(reports.length, 1);
  const discarded = reports[0].payload.discarded_events;
  const find = (category) => discarded.find((d) => d.reason === 'before_send' && d.category === category)?.quantity;
  assert.equal(find('error'), 2);
  assert.equal(find('transaction'), 1);
  for (const r of result.records.filter((x) => x.kind === 'dropped')) {
    assert.equal(await lt.getEvent(r.eventId), null, 'dropped event must not exist');
  }
});

test('server metrics: SDK requests answered 200, none rejected, items counted', async () => {
  const m = await lt.metrics();
  const ingest = (labels) => /envelope|store/.test(labels.route ?? '');
  const ok = sumMetric(m, 'lighttrace_http_requests_total', (l) => ingest(l) && l.status === '200');
  const bad = sumMetric(m, 'lighttrace_http_requests_total', (l) => ingest(l) && l.status !== '200');
  assert.ok(envelopesSent >= 15, `the scenarios sent only ${envelopesSent} envelopes`);
  assert.ok(ok >= envelopesSent, `expected the ${envelopesSent} SDK envelopes to be counted as 200, got ${ok}`);
  assert.equal(bad, 0, 'no ingest request was rejected');
  for (const type of ['event', 'transaction', 'span', 'session', 'sessions', 'log', 'attachment', 'client_report']) {
    assert.ok(sumMetric(m, 'lighttrace_ingest_items_total', (l) => l.type === type) >= 1, `ingest items of type ${type} counted`);
  }
});
