// @sentry/browser 11.12.0 against LightTrace: text/plain bodies through fetch, auth in the query
// string, CORS. The SDK runs in node behind a minimal window stand-in
// (clients/browser/browser-client.mjs); preflights are sent as a browser would send them.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CLIENTS_DIR, eventEnvelope, newEventId, runClient, startLightTrace } from './lib/harness.mjs';

const ORIGIN = 'http://example.test';
let lt;

before(async () => {
  lt = await startLightTrace({ project: 'web' });
});

after(async () => {
  if (!lt) return;
  const status = await lt.stop();
  assert.deepEqual(status, { code: 0, signal: null });
});

function headerList(value) {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function assertCors(headers, what) {
  assert.equal(headers['access-control-allow-origin'], '*', `${what}: Access-Control-Allow-Origin`);
  const exposed = headerList(headers['access-control-expose-headers']);
  assert.ok(exposed.includes('x-sentry-rate-limits'), `${what}: exposes x-sentry-rate-limits (got ${exposed})`);
  assert.ok(exposed.includes('retry-after'), `${what}: exposes retry-after (got ${exposed})`);
}

test('OPTIONS preflight is answered without auth, with the CORS headers', async () => {
  for (const p of [lt.envelopePath(), lt.storePath()]) {
    const res = await lt.postRaw(`${p}?sentry_key=${lt.key}&sentry_version=7`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-sentry-auth',
      },
      body: undefined,
    });
    assert.ok(res.status === 200 || res.status === 204, `preflight ${p}: ${res.describe()}`);
    assertCors(res.headers, `preflight ${p}`);
    const methods = headerList(res.headers['access-control-allow-methods']);
    assert.ok(methods.includes('post'), `allow-methods: ${methods}`);
    const allowed = headerList(res.headers['access-control-allow-headers']);
    for (const h of ['content-type', 'x-sentry-auth', 'content-encoding']) {
      assert.ok(allowed.includes(h), `allow-headers should include ${h}: ${allowed}`);
    }
  }
  // a preflight with no query-string key at all is answered too (browsers never send credentials)
  const bare = await lt.postRaw(lt.envelopePath(), {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
    body: undefined,
  });
  assert.ok(bare.status === 200 || bare.status === 204, bare.describe());
  assertCors(bare.headers, 'bare preflight');
});

test('@sentry/browser: text/plain envelopes with query-string auth are accepted and stored', async () => {
  const result = await runClient(process.execPath, [path.join(CLIENTS_DIR, 'browser', 'browser-client.mjs')], { dsn: lt.dsn });
  const context = `stdout:\n${result.stdout.slice(0, 3000)}\nstderr:\n${result.stderr.slice(0, 3000)}`;
  assert.equal(result.code, 0, context);
  const fetches = result.records.filter((r) => r.kind === 'fetch');
  assert.equal(fetches.length, 2, `two envelopes sent\n${context}`);
  for (const f of fetches) {
    const url = new URL(f.url);
    assert.equal(url.pathname, lt.envelopePath());
    assert.equal(url.searchParams.get('sentry_key'), lt.key, 'auth in the query string');
    assert.equal(f.bodyType, 'string', 'fetch body is a string (sent as text/plain;charset=UTF-8)');
    assert.equal(f.status, 200, `${f.responseBody}`);
    assertCors(f.responseHeaders, 'envelope POST response');
    assert.match(f.responseHeaders['content-type'] ?? '', /application\/json/);
  }
  const ids = result.records.filter((r) => r.kind === 'id');
  assert.equal(ids.length, 2);
  for (const { eventId, scenario } of ids) {
    const answered = fetches.map((f) => JSON.parse(f.responseBody).id);
    assert.ok(answered.includes(eventId), `server answered {"id": ${eventId}}`);
    const ev = await lt.waitForEvent(eventId);
    assert.equal(ev.event_id, eventId);
    assert.equal(ev.sdk?.name, 'sentry.javascript.browser');
    assert.equal(ev.release, 'web@2.0.0');
    assert.equal(ev.user?.id, 'web-7');
    assert.equal(ev.request?.url, 'http://example.test/shop/checkout');
    if (scenario === 'browser-exception') {
      assert.equal(ev.exception.values.at(-1).type, 'TypeError');
    } else {
      assert.equal(ev.level, 'warning');
    }
  }
});

test('CORS headers are on error answers too (a browser must be able to read them)', async () => {
  const id = newEventId();
  const body = eventEnvelope(id);
  const cases = [
    { what: 'unknown key → 403', q: `sentry_key=${'f'.repeat(32)}&sentry_version=7`, status: 403 },
    { what: 'no auth → 401', q: '', status: 401 },
  ];
  for (const c of cases) {
    const res = await lt.postRaw(`${lt.envelopePath()}${c.q ? `?${c.q}` : ''}`, {
      headers: { Origin: ORIGIN, 'Content-Type': 'text/plain;charset=UTF-8' },
      body,
    });
    assert.equal(res.status, c.status, `${c.what}: ${res.describe()}`);
    assertCors(res.headers, c.what);
    assert.equal(typeof res.json().detail, 'string', `${c.what}: JSON {"detail": ...}`);
  }
  const bad = await lt.postRaw(`${lt.envelopePath()}?sentry_key=${lt.key}&sentry_version=7`, {
    headers: { Origin: ORIGIN, 'Content-Type': 'text/plain;charset=UTF-8' },
    body: 'this is not an envelope',
  });
  assert.equal(bad.status, 400, bad.describe());
  assertCors(bad.headers, 'bad envelope → 400');
  // and a plain successful text/plain POST
  const ok = await lt.postRaw(`${lt.envelopePath()}?sentry_key=${lt.key}&sentry_version=7&sentry_client=sentry.javascript.browser%2F11.12.0`, {
    headers: { Origin: ORIGIN, 'Content-Type': 'text/plain;charset=UTF-8' },
    body,
  });
  assert.equal(ok.status, 200, ok.describe());
  assertCors(ok.headers, '200');
  assert.equal(ok.json().id, id);
  assert.equal((await lt.waitForEvent(id)).event_id, id);
});
