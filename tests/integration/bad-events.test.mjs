// Events that are valid envelopes but hostile or broken inside: every field of the wrong kind,
// strings close to the 1 MiB event limit, 20,000 frames, 10,000 breadcrumbs, deep self-similar
// data, invalid UTF-8. Each is acknowledged, stored with the bad parts dropped and recorded, joins
// an issue, and reads back through the API; the server keeps working after each.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { envelope, newEventId, poll, startLightTrace } from './lib/harness.mjs';

let lt;

before(async () => {
  lt = await startLightTrace({ project: 'bad-events' });
});

after(async () => {
  if (lt) {
    const status = await lt.stop();
    assert.deepEqual(status, { code: 0, signal: null });
  }
});

async function sendRaw(id, payloadBytes) {
  const res = await lt.postEnvelope(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload: payloadBytes }]));
  assert.equal(res.status, 200, res.describe());
  return res;
}

// Sends, then checks the event is stored, belongs to an issue and renders in the event API.
async function sendAndCheck(event) {
  const id = newEventId();
  await sendRaw(id, Buffer.from(JSON.stringify({ event_id: id, timestamp: Date.now() / 1000, ...event })));
  return checkStored(id);
}

async function checkStored(id) {
  const stored = await lt.waitForEvent(id, { timeoutMs: 20_000 });
  const view = await poll(`event ${id} in the API`, async () => {
    const res = await lt.get(`/api/0/projects/${lt.org}/${lt.project}/events/${id}/`);
    return res.status === 200 ? res.json() : null;
  });
  assert.match(view.groupID, /^\d+$/, 'the event joined an issue');
  const issue = await lt.getJson(`/api/0/issues/${view.groupID}/`);
  assert.equal(issue.status, 200);
  await lt.assertHealthy();
  return { stored, view, issue: issue.body };
}

test('every field of the wrong kind: dropped, recorded in errors, event kept', async () => {
  const wrong = {
    platform: ['node'], level: { x: 1 }, logger: 42, transaction: [1], server_name: {},
    release: { v: 1 }, dist: [], environment: 7, message: 12, logentry: 'oops'.split(''),
    exception: 'boom', stacktrace: 5, threads: 'x', breadcrumbs: 9, tags: 'a=b',
    extra: 'not an object', user: 17, request: ['GET'], contexts: 'ctx', sdk: 3,
    fingerprint: 'fp', modules: [1, 2], debug_meta: 'dm', timestamp: { t: 1 }, culprit: [],
  };
  const { stored, view } = await sendAndCheck(wrong);
  assert.ok(Array.isArray(stored.errors) && stored.errors.length >= 10, `errors: ${JSON.stringify(stored.errors)}`);
  assert.equal(typeof stored.timestamp, 'number', 'a bad timestamp falls back to the receive time');
  assert.ok(Array.isArray(view.entries));
});

test('a string close to the 1 MiB event limit', async () => {
  const { stored } = await sendAndCheck({ message: 'big extra', extra: { blob: 'x'.repeat(1_000_000) } });
  assert.ok(stored.extra !== undefined || stored._meta, 'kept or trimmed with a remark');
});

test('20,000 frames', async () => {
  // Short frames, so that 20,000 of them stay under the 1 MiB event limit.
  const frames = Array.from({ length: 20_000 }, (_, i) => ({ function: `f${i % 50}`, lineno: i + 1 }));
  const { view, issue } = await sendAndCheck({ platform: 'python', exception: { values: [{ type: 'RecursionError', value: 'too deep', stacktrace: { frames } }] } });
  assert.equal(issue.title, 'RecursionError: too deep');
  assert.ok(view.entries.some((e) => e.type === 'exception'));
});

test('10,000 breadcrumbs', async () => {
  const values = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: Date.now() / 1000, message: `step ${i}`, category: 'app' }));
  const { view } = await sendAndCheck({ message: 'crumbs', breadcrumbs: { values } });
  const crumbs = view.entries.find((e) => e.type === 'breadcrumbs');
  assert.ok(crumbs && crumbs.data.values.length > 0);
});

test('deep self-similar (cyclic-looking) data', async () => {
  let node = { leaf: true };
  for (let i = 0; i < 200; i += 1) node = { self: node, again: { ref: '#/self' } };
  await sendAndCheck({ message: 'cyclic', extra: { graph: node }, contexts: { loop: { type: 'loop', next: node } } });
});

test('invalid UTF-8 inside values', async () => {
  const id = newEventId();
  const head = Buffer.from(`{"event_id":"${id}","timestamp":${Date.now() / 1000},"message":"bad `);
  const tail = Buffer.from(' bytes","tags":{"k":"v\u00e9"},"extra":{"x":"');
  const end = Buffer.from('"}}');
  await sendRaw(id, Buffer.concat([head, Buffer.from([0xff, 0xfe]), tail, Buffer.from([0xc3]), end]));
  const { stored } = await checkStored(id);
  assert.match(stored.logentry.formatted, /\uFFFD/);
  assert.ok(stored.errors.some((e) => e.type === 'invalid_data'));
});
