// Events become issues: grouping with the real SDKs (@sentry/node 11, Debian's sentry-python
// 1.9.10), then the issue Web API in Sentry's shapes: lists, search, sorts, cursors, detail,
// events, tags, status changes with regressions, deletion, and the error answers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import {
  INTEGRATION_DIR,
  envelope,
  newEventId,
  nodeClient,
  poll,
  pythonClient,
  request,
  run,
  runCli,
  startLightTrace,
} from './lib/harness.mjs';
import { assertAllAcked } from './lib/verify.mjs';

let lt;
const node = {}; // scenario -> [event ids]
const python = {};

function collect(result, into) {
  for (const r of result.records) {
    if (r.kind === 'id') (into[r.scenario] ??= []).push(r.eventId);
  }
}

// The issue id of an event, once the pipeline has stored it.
async function issueOf(eventId) {
  const event = await poll(`event ${eventId}`, async () => {
    const res = await lt.get(`/api/0/projects/${lt.org}/${lt.project}/events/${eventId}/`);
    return res.status === 200 ? res.json() : null;
  });
  assert.match(event.groupID, /^\d+$/, `event ${eventId} has an issue`);
  return event.groupID;
}

async function issuesOf(ids) {
  return Promise.all(ids.map(issueOf));
}

async function api(path, { method = 'GET', body, token = lt.token } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await request(lt.baseUrl, path, { method, headers, body: payload });
  let json = null;
  if (res.text) json = JSON.parse(res.text);
  return { status: res.status, json, headers: res.headers, res };
}

const orgIssues = (query = '') => `/api/0/organizations/${lt.org}/issues/${query}`;
const projectIssues = (query = '') => `/api/0/projects/${lt.org}/${lt.project}/issues/${query}`;

async function sendEvent(event) {
  const id = newEventId();
  const body = envelope({ event_id: id, sent_at: new Date().toISOString() }, [
    {
      headers: { type: 'event' },
      payload: { event_id: id, timestamp: Date.now() / 1000, platform: 'python', level: 'error', ...event },
    },
  ]);
  const res = await lt.postEnvelope(body);
  assert.equal(res.status, 200, res.describe());
  return id;
}

function parseLink(header) {
  const links = {};
  for (const part of header.split(/,\s*(?=<)/)) {
    const url = /<([^>]+)>/.exec(part)[1];
    const rel = /rel="([^"]+)"/.exec(part)[1];
    links[rel] = {
      url,
      results: /results="([^"]+)"/.exec(part)[1] === 'true',
      cursor: /cursor="([^"]+)"/.exec(part)[1],
    };
  }
  return links;
}

before(async () => {
  lt = await startLightTrace({ project: 'it' });
  const nodeResult = await nodeClient('grouping.mjs', { dsn: lt.dsn });
  assertAllAcked(nodeResult);
  collect(nodeResult, node);
  const pythonResult = await pythonClient('grouping.py', { dsn: lt.dsn });
  assertAllAcked(pythonResult);
  collect(pythonResult, python);
});

after(async () => {
  if (lt) await lt.stop();
});

describe('grouping with @sentry/node', () => {
  test('the same error thrown twice from one call site is one issue', async () => {
    const [a, b] = await issuesOf(node['same-site']);
    assert.equal(a, b);
  });

  test('the same error from another call site is another issue', async () => {
    const [same] = await issuesOf(node['same-site']);
    const [other] = await issuesOf(node['other-site']);
    assert.notEqual(same, other);
  });

  test('messages differing only in numbers, emails, UUIDs and dates are one issue', async () => {
    const [a, b] = await issuesOf(node.message);
    assert.equal(a, b);
  });

  test('a custom fingerprint puts different errors in one issue', async () => {
    const [a, b] = await issuesOf(node.fingerprint);
    assert.equal(a, b);
  });

  test('{{ default }} with a tenant splits one call site by tenant', async () => {
    const [a1, a2] = await issuesOf(node['hybrid-tenant-a']);
    const [b] = await issuesOf(node['hybrid-tenant-b']);
    assert.equal(a1, a2);
    assert.notEqual(a1, b);
  });

  test('a cause chain groups as a whole', async () => {
    const [t1, t2] = await issuesOf(node['chain-type']);
    const [r] = await issuesOf(node['chain-range']);
    assert.equal(t1, t2, 'same chain types, different values');
    assert.notEqual(t1, r, 'another cause type is another issue');
  });

  test('a library frame change keeps the issue, an in-app frame change moves it', async () => {
    const [a] = await issuesOf(node['library-a']);
    const [b] = await issuesOf(node['library-b']);
    const [app] = await issuesOf(node['app-changed']);
    assert.equal(a, b, 'only frames under node_modules differ');
    assert.notEqual(a, app, 'the in-app caller differs');
  });
});

describe('grouping with sentry-python', () => {
  test('a chained exception groups by the whole chain', async () => {
    const [k1, k2] = await issuesOf(python['chain-key']);
    const [v] = await issuesOf(python['chain-value']);
    assert.equal(k1, k2);
    assert.notEqual(k1, v);
  });

  test('messages differing only in numbers are one issue', async () => {
    const [a, b] = await issuesOf(python.message);
    assert.equal(a, b);
  });
});

describe('issue API', () => {
  test('issue detail in Sentry shape', async () => {
    const [id] = await issuesOf(node['same-site']);
    const { status, json: issue } = await api(`/api/0/organizations/${lt.org}/issues/${id}/`);
    assert.equal(status, 200);
    assert.equal(issue.id, id);
    assert.match(issue.shortId, /^IT-[0-9A-Z]+$/);
    assert.match(issue.title, /^TypeError: invoice \d+ has no lines$/);
    assert.match(issue.culprit, /loadInvoice/);
    assert.equal(issue.type, 'error');
    assert.equal(issue.level, 'error');
    assert.equal(issue.status, 'unresolved');
    assert.equal(issue.substatus, 'new');
    assert.equal(issue.count, '2');
    assert.equal(issue.userCount, 1);
    assert.equal(issue.platform, 'node');
    assert.equal(issue.metadata.type, 'TypeError');
    assert.equal(issue.project.slug, 'it');
    assert.equal(issue.firstRelease.version, 'demo@1.2.3');
    assert.ok(Date.parse(issue.firstRelease.firstEvent) <= Date.parse(issue.firstSeen));
    assert.ok(Date.parse(issue.lastRelease.lastEvent) >= Date.parse(issue.lastSeen));
    assert.ok(Date.parse(issue.firstSeen) <= Date.parse(issue.lastSeen));
    assert.equal(issue.stats['24h'].length, 24);
    assert.equal(issue.stats['24h'].reduce((sum, [, n]) => sum + n, 0), 2);
    assert.equal(issue.stats['30d'].length, 30);
    assert.ok(issue.activity.some((a) => a.type === 'first_seen'));
    assert.ok(issue.tags.some((t) => t.key === 'component' && t.totalValues === 2));

    const legacy = await api(`/api/0/issues/${id}/`);
    assert.equal(legacy.status, 200);
    assert.equal(legacy.json.shortId, issue.shortId);
    const byShortId = await api(`/api/0/organizations/${lt.org}/issues/${issue.shortId}/`);
    assert.equal(byShortId.json.id, id);
    const resolved = await api(`/api/0/organizations/${lt.org}/shortids/${issue.shortId}/`);
    assert.equal(resolved.json.groupId, id);
    assert.equal(resolved.json.projectSlug, 'it');
  });

  test('issue events, latest and oldest, with entries', async () => {
    const ids = node['same-site'];
    const [issue] = await issuesOf(ids);
    const list = await api(`/api/0/issues/${issue}/events/`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.map((e) => e.eventID).sort(), [...ids].sort());
    assert.ok(list.json.every((e) => e.groupID === issue));
    assert.equal((await api(`/api/0/issues/${issue}/events/?cursor=garbage`)).status, 400);
    const second = await api(`/api/0/issues/${issue}/events/?cursor=0:1:0&per_page=1`);
    assert.equal(second.status, 200);
    assert.deepEqual(second.json.map((e) => e.eventID), [list.json[1].eventID]);
    const latest = await api(`/api/0/organizations/${lt.org}/issues/${issue}/events/latest/`);
    const oldest = await api(`/api/0/organizations/${lt.org}/issues/${issue}/events/oldest/`);
    assert.equal(latest.json.eventID, ids[1]);
    assert.equal(oldest.json.eventID, ids[0]);
    assert.equal(oldest.json.nextEventID, ids[1]);
    assert.equal(latest.json.previousEventID, ids[0]);
    const exception = latest.json.entries.find((e) => e.type === 'exception');
    assert.ok(exception, 'exception entry');
    const frames = exception.data.values.at(-1).stacktrace.frames;
    assert.ok(frames.some((f) => f.function === 'loadInvoice' && typeof f.lineNo === 'number'));
    assert.ok(latest.json.tags.some((t) => t.key === 'component' && t.value === 'checkout'));
    assert.equal(latest.json.user.email, 'jane@example.com');
    assert.equal(latest.json.groupingConfig.id, 'newstyle:2023-01-11');
    assert.ok(latest.json.fingerprints.length >= 1 && latest.json.fingerprints.every((h) => /^[0-9a-f]{32}$/.test(h)));
    const byId = await api(`/api/0/issues/${issue}/events/${ids[0]}/`);
    assert.equal(byId.json.eventID, ids[0]);
    const [otherIssue] = await issuesOf(node['other-site']);
    const wrongIssue = await api(`/api/0/issues/${otherIssue}/events/${ids[0]}/`);
    assert.equal(wrongIssue.status, 404);
  });

  test('tag keys and values with counts', async () => {
    const [issue] = await issuesOf(node['same-site']);
    const tags = await api(`/api/0/issues/${issue}/tags/`);
    assert.equal(tags.status, 200);
    const byKey = Object.fromEntries(tags.json.map((t) => [t.key, t]));
    for (const key of ['component', 'environment', 'release', 'user', 'level', 'server_name']) {
      assert.ok(byKey[key], `tag ${key} in ${Object.keys(byKey)}`);
    }
    assert.deepEqual(
      byKey.component.topValues.map((v) => [v.value, v.count]),
      [['checkout', 2]],
    );
    assert.equal(byKey.user.topValues[0].value, 'id:u-123');
    const values = await api(`/api/0/issues/${issue}/tags/environment/values/`);
    assert.deepEqual(values.json.map((v) => v.value), ['production']);
    const one = await api(`/api/0/issues/${issue}/tags/component/`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, byKey.component);
    const missing = await api(`/api/0/issues/${issue}/tags/no-such-tag/`);
    assert.equal(missing.status, 404);
  });

  test('search: fields, tags, negation, numbers, free text', async () => {
    const [invoice] = await issuesOf(node['same-site']);
    const [message] = await issuesOf(node.message);
    const [pythonIssue] = await issuesOf(python['chain-key']);
    const search = async (q) => {
      const res = await api(orgIssues(`?query=${encodeURIComponent(q)}&limit=100`));
      assert.equal(res.status, 200, `${q}: ${res.res.text}`);
      return res.json.map((i) => i.id);
    };
    assert.ok((await search('is:unresolved')).includes(invoice));
    assert.deepEqual(await search('level:warning'), [message]);
    assert.ok((await search('component:checkout')).includes(invoice));
    assert.ok((await search('release:demo@1.2.3')).includes(pythonIssue));
    assert.ok((await search('user.email:jane@example.com')).includes(invoice));
    assert.deepEqual(await search('user.email:nobody@example.com'), []);
    assert.ok(!(await search('!component:checkout')).includes(invoice));
    assert.ok((await search('has:component')).includes(invoice));
    assert.ok((await search('timesSeen:>1')).includes(invoice));
    assert.ok(!(await search('timesSeen:>2')).includes(invoice));
    assert.deepEqual(await search('"invoice"'), await search('invoice'));
    assert.ok((await search('invoice')).includes(invoice));
    assert.ok((await search('error.type:SyncError')).includes(pythonIssue));
    assert.ok((await search('lastSeen:-1h')).includes(invoice));
    assert.deepEqual(await search('lastSeen:+1d'), []);
    assert.ok((await search('environment:production')).includes(invoice));
  });

  test('list parameters: project, environment, shortIdLookup, statsPeriod', async () => {
    const [invoice] = await issuesOf(node['same-site']);
    const { json: issue } = await api(`/api/0/issues/${invoice}/`);
    const ids = async (query) => {
      const res = await api(orgIssues(query));
      assert.equal(res.status, 200, res.res.text);
      return res.json.map((i) => i.id);
    };
    assert.ok((await ids(`?project=${lt.projectId}&limit=100`)).includes(invoice));
    assert.ok((await ids('?project=-1&limit=100')).includes(invoice));
    assert.equal((await api(orgIssues('?project=999999'))).status, 403);
    assert.ok((await ids('?environment=production&limit=100')).includes(invoice));
    assert.deepEqual(await ids('?environment=staging'), []);
    assert.deepEqual(await ids(`?query=${issue.shortId}&shortIdLookup=1`), [invoice]);
    const fortnight = await api(orgIssues('?statsPeriod=14d&limit=1'));
    assert.equal(fortnight.json[0].stats['14d'].length, 14);
    const none = await api(orgIssues('?statsPeriod=&limit=1'));
    assert.equal(none.json[0].stats, undefined);
    assert.equal((await api(orgIssues('?statsPeriod=3y'))).status, 400);
    assert.equal((await api(orgIssues('?limit=0'))).status, 400);
    assert.equal((await api(orgIssues('?cursor=garbage'))).status, 400);
  });

  test('a bad query is 400 naming the token', async () => {
    const res = await api(orgIssues(`?query=${encodeURIComponent('timesSeen:>many')}`));
    assert.equal(res.status, 400);
    assert.match(res.json.detail, /many/);
    const sort = await api(orgIssues('?sort=sideways'));
    assert.equal(sort.status, 400);
    assert.match(sort.json.detail, /sideways/);
  });

  test('sorts and cursor pagination with Link headers', async () => {
    const all = await api(projectIssues('?query=&limit=100'));
    const total = all.json.length;
    assert.ok(total >= 10, `issues: ${total}`);
    assert.equal(all.res.headers['x-hits'], String(total));
    for (const sort of ['date', 'new', 'freq', 'user']) {
      const seen = [];
      let path = projectIssues(`?query=&sort=${sort}&limit=3`);
      for (let page = 0; page < 20; page += 1) {
        const res = await api(path);
        assert.equal(res.status, 200);
        seen.push(...res.json);
        const links = parseLink(res.res.headers.link);
        if (!links.next.results) break;
        path = new URL(links.next.url).pathname + new URL(links.next.url).search;
      }
      assert.equal(seen.length, total, `${sort}: every issue once`);
      assert.equal(new Set(seen.map((i) => i.id)).size, total, `${sort}: no duplicates`);
      const key = { date: (i) => Date.parse(i.lastSeen), new: (i) => Date.parse(i.firstSeen), freq: (i) => Number(i.count), user: (i) => i.userCount }[sort];
      for (let i = 1; i < seen.length; i += 1) assert.ok(key(seen[i - 1]) >= key(seen[i]), `${sort} descending`);
    }
    // previous from the second page returns the first
    const first = await api(projectIssues('?query=&limit=3'));
    const second = await api(new URL(parseLink(first.res.headers.link).next.url).pathname + new URL(parseLink(first.res.headers.link).next.url).search);
    const back = parseLink(second.res.headers.link).previous;
    assert.equal(back.results, true);
    const again = await api(new URL(back.url).pathname + new URL(back.url).search);
    assert.deepEqual(again.json.map((i) => i.id), first.json.map((i) => i.id));
  });
});

describe('issue lifecycle', () => {
  test('resolve, then a new event regresses it with an activity', async () => {
    const first = await sendEvent({ message: 'Lifecycle check 1 failed' });
    const issue = await issueOf(first);
    const put = await api(`/api/0/organizations/${lt.org}/issues/${issue}/`, { method: 'PUT', body: { status: 'resolved' } });
    assert.equal(put.status, 200);
    assert.equal(put.json.status, 'resolved');
    const second = await sendEvent({ message: 'Lifecycle check 2 failed' });
    assert.equal(await issueOf(second), issue);
    const { json } = await api(`/api/0/issues/${issue}/`);
    assert.equal(json.status, 'unresolved');
    assert.equal(json.substatus, 'regressed');
    assert.equal(json.count, '2');
    assert.ok(json.activity.some((a) => a.type === 'set_regression'));
    assert.ok(json.activity.some((a) => a.type === 'set_resolved'));
    const regressed = await api(orgIssues(`?query=${encodeURIComponent('is:regressed')}`));
    assert.ok(regressed.json.some((i) => i.id === issue));
  });

  test('resolved in next release: the same release stays resolved, a newer one regresses', async () => {
    const first = await sendEvent({ message: 'Release check 1', release: 'shop@1.0' });
    const issue = await issueOf(first);
    const put = await api(`/api/0/issues/${issue}/`, { method: 'PUT', body: { status: 'resolvedInNextRelease' } });
    assert.equal(put.json.status, 'resolved');
    assert.equal(put.json.statusDetails.inNextRelease, true);
    await issueOf(await sendEvent({ message: 'Release check 2', release: 'shop@1.0' }));
    let { json } = await api(`/api/0/issues/${issue}/`);
    assert.equal(json.status, 'resolved', 'an event from the old release is not a regression');
    assert.equal(json.count, '2');
    await issueOf(await sendEvent({ message: 'Release check 3', release: 'shop@1.1' }));
    ({ json } = await api(`/api/0/issues/${issue}/`));
    assert.equal(json.status, 'unresolved');
    assert.equal(json.substatus, 'regressed');
    assert.equal(json.lastRelease.version, 'shop@1.1');
  });

  test('ignored until 2 more events', async () => {
    const issue = await issueOf(await sendEvent({ message: 'Ignore check 1' }));
    const put = await api(`/api/0/issues/${issue}/`, { method: 'PUT', body: { status: 'ignored', statusDetails: { ignoreCount: 2 } } });
    assert.equal(put.json.status, 'ignored');
    assert.equal(put.json.substatus, 'archived_until_condition_met');
    await issueOf(await sendEvent({ message: 'Ignore check 2' }));
    assert.equal((await api(`/api/0/issues/${issue}/`)).json.status, 'ignored');
    await issueOf(await sendEvent({ message: 'Ignore check 3' }));
    assert.equal((await api(`/api/0/issues/${issue}/`)).json.status, 'unresolved');
  });

  test('bulk update by id and delete', async () => {
    const a = await issueOf(await sendEvent({ message: 'Bulk alpha', level: 'info' }));
    const b = await issueOf(await sendEvent({ message: 'Bulk beta', level: 'info' }));
    const bulk = await api(projectIssues(`?id=${a}&id=${b}`), { method: 'PUT', body: { status: 'resolved' } });
    assert.equal(bulk.status, 200);
    assert.equal(bulk.json.status, 'resolved');
    for (const id of [a, b]) assert.equal((await api(`/api/0/issues/${id}/`)).json.status, 'resolved');
    const del = await api(`/api/0/organizations/${lt.org}/issues/${a}/`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.equal((await api(`/api/0/issues/${a}/`)).status, 404);
    const bulkDelete = await api(orgIssues(`?id=${b}`), { method: 'DELETE' });
    assert.equal(bulkDelete.status, 204);
    assert.equal((await api(`/api/0/issues/${b}/`)).status, 404);
  });

  test('a bad status is 400', async () => {
    const [issue] = await issuesOf(node['same-site']);
    const res = await api(`/api/0/issues/${issue}/`, { method: 'PUT', body: { status: 'fixed' } });
    assert.equal(res.status, 400);
    assert.match(res.json.detail, /status/);
  });
});

describe('access', () => {
  test('organization and project lists', async () => {
    const orgs = await api('/api/0/organizations/');
    assert.deepEqual(orgs.json.map((o) => o.slug), [lt.org]);
    const projects = await api(`/api/0/organizations/${lt.org}/projects/`);
    assert.ok(projects.json.some((p) => p.slug === 'it' && p.id === String(lt.projectId)));
    const project = await api(`/api/0/projects/${lt.org}/it/`);
    assert.equal(project.json.organization.slug, lt.org);
  });

  test('a token without event:read gets 403, no token 401, unknown routes 404 JSON', async () => {
    const created = await runCli(['token', 'create', '--org', lt.org, '--scopes', 'project:read', '--data', lt.dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const weak = created.stdout.trim();
    const [issue] = await issuesOf(node['same-site']);
    const forbidden = await api(`/api/0/issues/${issue}/`, { token: weak });
    assert.equal(forbidden.status, 403);
    assert.ok(forbidden.json.detail);
    const write = await api(`/api/0/issues/${issue}/`, { token: weak, method: 'PUT', body: { status: 'resolved' } });
    assert.equal(write.status, 403);
    const none = await request(lt.baseUrl, `/api/0/issues/${issue}/`, { method: 'GET' });
    assert.equal(none.status, 401);
    const unknown = await api('/api/0/no/such/route/');
    assert.equal(unknown.status, 404);
    assert.ok(unknown.json.detail);
    const otherOrg = await api('/api/0/organizations/elsewhere/issues/');
    assert.equal(otherOrg.status, 404);
    const missingIssue = await api('/api/0/issues/999999/');
    assert.equal(missingIssue.status, 404);
  });
});

describe('sentry-cli 3.8 issue commands', () => {
  const sentryCli = (args) =>
    run(path.join(INTEGRATION_DIR, 'node_modules/.bin/sentry-cli'), args, {
      env: { SENTRY_URL: lt.baseUrl, SENTRY_AUTH_TOKEN: lt.token, SENTRY_LOG_LEVEL: 'warn' },
    });

  test('issues list shows the unresolved issues with their short ids', async () => {
    const [id] = await issuesOf(node['same-site']);
    const { json: issue } = await api(`/api/0/issues/${id}/`);
    const res = await sentryCli(['issues', 'list', '-o', lt.org, '-p', lt.project]);
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.stdout.includes(issue.shortId), res.stdout);
    assert.ok(res.stdout.includes(issue.title), res.stdout);
  });

  test('issues resolve and unresolve by id', async () => {
    const [id] = await issuesOf(node['other-site']);
    const resolve = await sentryCli(['issues', 'resolve', '-o', lt.org, '-p', lt.project, '-i', id]);
    assert.equal(resolve.code, 0, resolve.stderr);
    assert.equal((await api(`/api/0/issues/${id}/`)).json.status, 'resolved');
    const list = await sentryCli(['issues', 'list', '-o', lt.org, '-p', lt.project, '--query', 'is:resolved']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes('loadReceipt') || list.stdout.includes('invoice 7'), list.stdout);
    const unresolve = await sentryCli(['issues', 'unresolve', '-o', lt.org, '-p', lt.project, '-i', id]);
    assert.equal(unresolve.code, 0, unresolve.stderr);
    assert.equal((await api(`/api/0/issues/${id}/`)).json.status, 'unresolved');
  });
});
