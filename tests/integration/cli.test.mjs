// The command line: version, flag errors, first start, project and token creation (also while
// a server runs on the same data dir), the remembered public URL, SIGTERM.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  ServerProcess,
  eventEnvelope,
  freePort,
  makeTempDir,
  newEventId,
  parseDsn,
  removeDir,
  request,
  runCli,
  startLightTrace,
} from './lib/harness.mjs';

const DSN_RE = /^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/;
const dirs = [];
const servers = [];

function tempDir() {
  const d = makeTempDir('lighttrace-cli-');
  dirs.push(d);
  return d;
}

after(async () => {
  for (const s of servers) if (s.running) await s.kill9();
  for (const d of dirs) removeDir(d);
});

test('version prints a version and exits 0', async () => {
  const r = await runCli(['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\d+\.\d+/);
});

test('unknown flags and bad values: a message on stderr and exit code 2', async () => {
  const dir = tempDir();
  const cases = [
    ['serve', '--no-such-flag', 'x'],
    ['serve', '--listen', 'not-an-address', '--data', dir],
    ['serve', '--listen', '127.0.0.1:99999', '--data', dir],
    ['project', 'create', '--org', 'default', '--project', 'p', '--data', dir, '--bogus', '1'],
    ['token', 'create', '--org', 'default', '--data', dir, '--frobnicate'],
    ['no-such-command'],
  ];
  for (const args of cases) {
    const r = await runCli(args, { timeoutMs: 10_000 });
    assert.equal(r.code, 2, `lighttrace ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, `lighttrace ${args.join(' ')}: no message on stderr`);
  }
});

test('first start on an empty data dir prints the default DSN and an API token; SIGTERM exits 0', async () => {
  const dir = tempDir();
  const port = await freePort();
  const server = new ServerProcess({ port, dataDir: dir });
  servers.push(server);
  const { dsn, token, stdout } = await server.start();
  assert.match(stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
  assert.ok(dsn, `no "DSN:" line in:\n${stdout}`);
  assert.match(dsn, DSN_RE);
  const d = parseDsn(dsn);
  assert.equal(d.port, String(port));
  assert.match(d.projectId, /^\d+$/);
  assert.ok(token, `no "API token:" line in:\n${stdout}`);
  assert.match(token, /^sntryu_\S+$/);

  const info = await request(server.baseUrl, '/api/0/', { method: 'GET', headers: { Authorization: `Bearer ${token}` } });
  assert.equal(info.status, 200, info.describe());
  const body = info.json();
  assert.equal(body.version, '0');
  assert.ok('user' in body);
  assert.ok(Array.isArray(body.auth?.scopes), `auth.scopes: ${info.text}`);

  // the default project takes events right away
  const id = newEventId();
  const res = await request(server.baseUrl, `/api/${d.projectId}/envelope/`, {
    headers: { 'X-Sentry-Auth': `Sentry sentry_key=${d.key}, sentry_version=7` },
    body: eventEnvelope(id),
  });
  assert.equal(res.status, 200, res.describe());
  assert.equal(res.json().id, id);

  const health = await request(server.baseUrl, '/healthz', { method: 'GET' });
  assert.equal(health.status, 200);

  const exit = await server.stop();
  assert.deepEqual(exit, { code: 0, signal: null });

  // second start: no new default project (a DSN line, if any, is the same one) and no new token
  const again = await server.start();
  if (again.dsn !== null) assert.equal(again.dsn, dsn, `second start printed another DSN:\n${again.stdout}`);
  assert.equal(again.token, null, `a token was printed again on the second start:\n${again.stdout}`);
  assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

test('project create prints a DSN; while the server runs the new key works at once', async () => {
  const lt = await startLightTrace({ project: 'cli-first' });
  try {
    assert.match(lt.dsn, DSN_RE);
    const created = await runCli(['project', 'create', '--org', 'default', '--project', 'cli-second', '--name', 'Second App', '--data', lt.dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `one line on stdout: ${created.stdout}`);
    const dsn = lines[0].trim();
    assert.match(dsn, DSN_RE);
    const d = parseDsn(dsn);
    assert.notEqual(d.key, lt.key);
    assert.notEqual(d.projectId, lt.projectId);
    assert.ok(Number(d.projectId) > 0);

    // immediately, no waiting: the running server must accept the new key
    const id = newEventId();
    const res = await request(lt.baseUrl, `/api/${d.projectId}/envelope/?sentry_key=${d.key}&sentry_version=7`, {
      body: eventEnvelope(id, { message: 'to the new project' }),
    });
    assert.equal(res.status, 200, res.describe());
    assert.equal(res.json().id, id);
    const ev = await lt.waitForEvent(id, { project: 'cli-second' });
    assert.equal(ev.event_id, id);
    // and it is not visible in the other project
    assert.equal(await lt.getEvent(id, { project: 'cli-first' }), null);
    // the old key does not work for the new project
    const cross = await request(lt.baseUrl, `/api/${d.projectId}/envelope/?sentry_key=${lt.key}&sentry_version=7`, {
      body: eventEnvelope(newEventId()),
    });
    assert.equal(cross.status, 403, cross.describe());
  } finally {
    assert.deepEqual(await lt.stop(), { code: 0, signal: null });
  }
});

test('token create: the token works on GET /api/0/; a bad or missing token → 401', async () => {
  const lt = await startLightTrace({ project: 'cli-tokens' });
  try {
    const r = await runCli(['token', 'create', '--org', 'default', '--scopes', 'project:read,event:read,project:releases', '--data', lt.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    assert.ok(token.length >= 32 && !/\s/.test(token), `token: ${JSON.stringify(r.stdout)}`);
    const ok = await lt.get('/api/0/', { token });
    assert.equal(ok.status, 200, ok.describe());
    const body = ok.json();
    assert.equal(body.version, '0');
    assert.deepEqual([...body.auth.scopes].sort(), ['event:read', 'project:read', 'project:releases']);

    const bad = await lt.get('/api/0/', { token: `${token.slice(0, -4)}beef` });
    assert.equal(bad.status, 401, bad.describe());
    const none = await lt.get(lt.eventPath(newEventId()), { token: null });
    assert.equal(none.status, 401, none.describe());
    const garbage = await lt.get('/api/0/', { token: 'sntryu_not-a-real-token' });
    assert.equal(garbage.status, 401, garbage.describe());
    // a token created while the server runs works at once (checked above) and so does the
    // harness token; two tokens are different
    assert.notEqual(token, lt.token);
  } finally {
    assert.deepEqual(await lt.stop(), { code: 0, signal: null });
  }
});

test('the DSN host is the remembered public URL (serve --url, then project create without --url)', async () => {
  const dir = tempDir();
  const port = await freePort();
  const server = new ServerProcess({ port, dataDir: dir, url: 'http://errors.example.test:9000' });
  servers.push(server);
  const first = await server.start();
  assert.ok(first.dsn, first.stdout);
  const d0 = new URL(first.dsn);
  assert.equal(d0.host, 'errors.example.test:9000', `first-start DSN ${first.dsn}`);
  // still listening locally
  assert.match(first.stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
  assert.deepEqual(await server.stop(), { code: 0, signal: null });

  const created = await runCli(['project', 'create', '--org', 'default', '--project', 'remembered', '--data', dir]);
  assert.equal(created.code, 0, created.stderr);
  const dsn = new URL(created.stdout.trim());
  assert.equal(dsn.protocol, 'http:');
  assert.equal(dsn.host, 'errors.example.test:9000', `DSN ${created.stdout.trim()}`);
  assert.match(dsn.username, /^[0-9a-f]{32}$/);
  assert.match(dsn.pathname, /^\/\d+$/);

  // an explicit --url on project create wins for that DSN
  const other = await runCli(['project', 'create', '--org', 'default', '--project', 'explicit', '--url', 'https://sentry.other.test', '--data', dir]);
  assert.equal(other.code, 0, other.stderr);
  const od = new URL(other.stdout.trim());
  assert.equal(od.protocol, 'https:');
  assert.equal(od.host, 'sentry.other.test');
});

test('--spool / LIGHTTRACE_SPOOL put the spool in a directory of its own; a replaced spool loses nothing, a foreign one is refused', async () => {
  const spoolA = tempDir();
  const spoolB = tempDir();
  const lt = await startLightTrace({ project: 'spool-dir', extraArgs: ['--spool', spoolA] });
  try {
    const first = newEventId();
    assert.equal((await lt.postEnvelope(eventEnvelope(first, { message: 'spooled elsewhere' }))).status, 200);
    assert.equal((await lt.waitForEvent(first)).event_id, first);
    assert.ok(readdirSync(spoolA).some((f) => f.endsWith('.seg')), `no segment in ${spoolA}: ${readdirSync(spoolA)}`);
    assert.ok(!existsSync(path.join(lt.dataDir, 'spool')), 'the data dir got a spool of its own');
    assert.deepEqual(await lt.server.stop(), { code: 0, signal: null });

    // The operator moves the spool to a new, empty directory: the store's cursor is past the
    // start, and events sent now must still be processed.
    lt.server.extraArgs = [];
    lt.server.env = { LIGHTTRACE_SPOOL: spoolB };
    await lt.server.start();
    const second = newEventId();
    assert.equal((await lt.postEnvelope(eventEnvelope(second, { message: 'after the move' }))).status, 200);
    assert.equal((await lt.waitForEvent(second)).event_id, second);
    assert.ok(readdirSync(spoolB).some((f) => f.endsWith('.seg')));
    assert.deepEqual(await lt.server.stop(), { code: 0, signal: null });

    // Another data dir may not take over that spool (its records belong to the first store).
    const other = tempDir();
    const port = await freePort();
    const foreign = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--data', other, '--spool', spoolB], { timeoutMs: 10_000 });
    assert.equal(foreign.code, 1, `exit ${foreign.code}\n${foreign.stdout}\n${foreign.stderr}`);
    assert.match(foreign.stderr, /belongs to another data directory/);

    // The data dir itself is not a spool directory.
    const same = await runCli(['serve', '--listen', `127.0.0.1:${port}`, '--data', other, '--spool', other], { timeoutMs: 10_000 });
    assert.equal(same.code, 2, `exit ${same.code}\n${same.stderr}`);
  } finally {
    await lt.stop();
  }
});
