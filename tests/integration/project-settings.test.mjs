// Per-project processing settings through Sentry's project API: data scrubbing turned off,
// extended with sensitive fields, safe fields and IP scrubbing. Settings apply to events
// processed about a second after they were saved.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { envelope, newEventId, poll, request, runCli, startLightTrace } from './lib/harness.mjs';

let lt;

before(async () => {
  lt = await startLightTrace({ project: 'settings' });
});

after(async () => {
  if (lt) await lt.stop();
});

const projectPath = () => `/api/0/projects/${lt.org}/${lt.project}/`;

async function put(body) {
  const res = await request(lt.baseUrl, projectPath(), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${lt.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: JSON.parse(res.text) };
}

async function sendAndRead(extra, user) {
  const id = newEventId();
  const payload = { event_id: id, timestamp: Date.now() / 1000, platform: 'python', message: 'settings probe', extra };
  if (user) payload.user = user;
  const res = await lt.postEnvelope(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]));
  assert.equal(res.status, 200);
  return lt.waitForEvent(id);
}

// Sends probes until one shows the new settings (they apply within about a second).
async function untilApplied(extra, check, user) {
  return poll('the new project settings', async () => {
    const event = await sendAndRead(extra, user);
    return check(event) ? event : null;
  }, { timeoutMs: 8000, intervalMs: 200 });
}

test('defaults: scrubbing on, settings readable in Sentry names', async () => {
  const { status, body: json } = await lt.getJson(projectPath());
  assert.equal(status, 200);
  assert.equal(json.dataScrubber, true);
  assert.equal(json.dataScrubberDefaults, true);
  assert.equal(json.scrubIPAddresses, false);
  assert.deepEqual(json.sensitiveFields, []);
  assert.deepEqual(json.safeFields, []);
  const event = await sendAndRead({ password: 'hunter2', order_note: 'leave at door' });
  assert.equal(event.extra.password, '[Filtered]');
  assert.equal(event.extra.order_note, 'leave at door');
});

test('sensitive fields extend the scrubber, safe fields exempt a key', async () => {
  const res = await put({ sensitiveFields: ['order_note'], safeFields: ['password'] });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.sensitiveFields, ['order_note']);
  const event = await untilApplied({ password: 'hunter2', order_note: 'leave at door' },
    (e) => e.extra.order_note === '[Filtered]');
  assert.equal(event.extra.password, 'hunter2', 'a safe field keeps its value');
});

test('IP scrubbing removes the user IP', async () => {
  assert.equal((await put({ scrubIPAddresses: true, safeFields: [] })).status, 200);
  const event = await untilApplied({ note: 'ip probe' }, (e) => e.user?.ip_address === undefined,
    { id: 'u-1', ip_address: '198.51.100.23' });
  assert.equal(event.user.id, 'u-1');
});

test('turning the scrubber off keeps values as sent', async () => {
  assert.equal((await put({ dataScrubber: false, scrubIPAddresses: false, sensitiveFields: [] })).status, 200);
  const event = await untilApplied({ password: 'hunter2' }, (e) => e.extra.password === 'hunter2');
  assert.equal(event.extra.password, 'hunter2');
  assert.equal((await put({ dataScrubber: true })).status, 200);
});

test('server-side fingerprint rules group matching errors and can name the issue', async () => {
  const rules = [
    '# errors from the billing backend are one issue',
    'error.type:BillingTimeout -> billing-down title="Billing backend is down"',
  ].join('\n');
  const res = await put({ fingerprintingRules: rules });
  assert.equal(res.status, 200);
  assert.equal(res.json.fingerprintingRules, rules);
  const exception = (fn) => ({
    platform: 'python',
    exception: { values: [{ type: 'BillingTimeout', value: `timeout in ${fn}`, stacktrace: { frames: [{ function: fn, module: 'billing', in_app: true }] } }] },
  });
  const issueOf = async (fn) => {
    const id = newEventId();
    const payload = { event_id: id, timestamp: Date.now() / 1000, ...exception(fn) };
    assert.equal((await lt.postEnvelope(envelope({ event_id: id }, [{ headers: { type: 'event' }, payload }]))).status, 200);
    await lt.waitForEvent(id);
    const { body } = await lt.getJson(`/api/0/projects/${lt.org}/${lt.project}/events/${id}/`);
    return body;
  };
  // Until the rule applies, the two call sites are two issues; then both join one.
  const first = await poll('the fingerprint rule', async () => {
    const event = await issueOf('charge');
    return event.title === 'Billing backend is down' ? event : null;
  }, { timeoutMs: 8000, intervalMs: 200 });
  const second = await issueOf('refund');
  assert.equal(second.groupID, first.groupID);
  const { body: issue } = await lt.getJson(`/api/0/issues/${first.groupID}/`);
  assert.equal(issue.title, 'Billing backend is down');
  assert.equal((await put({ fingerprintingRules: '' })).status, 200);
});

test('bad settings are 400 with a detail and change nothing', async () => {
  const badRules = await put({ fingerprintingRules: 'error.type:X -> ok\nthis is not a rule' });
  assert.equal(badRules.status, 400);
  assert.match(badRules.json.detail, /line 2/);
  for (const body of [{ dataScrubber: 'yes' }, { sensitiveFields: 'password' }, { safeFields: [1] }]) {
    const res = await put(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.ok(res.json.detail);
  }
  const { body: json } = await lt.getJson(projectPath());
  assert.equal(json.dataScrubber, true);
  const readOnly = await runReadOnlyPut();
  assert.equal(readOnly, 403);
});

async function runReadOnlyPut() {
  const created = await runCli(['token', 'create', '--org', lt.org, '--scopes', 'project:read', '--data', lt.dataDir]);
  const res = await request(lt.baseUrl, projectPath(), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${created.stdout.trim()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ dataScrubber: false }),
  });
  return res.status;
}
