// `lighttrace serve --trusted-proxies`: the client IP behind reverse proxies.
//
// `{{auto}}` in user.ip_address / request.env.REMOTE_ADDR becomes the client IP. That is the TCP
// peer, unless the peer is a trusted proxy: then it is the right-most X-Forwarded-For address
// that is not itself trusted. The tests talk to the server from 127.0.0.1.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventEnvelope, makeTempDir, newEventId, removeDir, runCli, startLightTrace } from './lib/harness.mjs';

const servers = [];

async function server(opts) {
  const lt = await startLightTrace(opts);
  servers.push(lt);
  return lt;
}

after(async () => {
  for (const lt of servers) {
    const status = await lt.stop();
    assert.deepEqual(status, { code: 0, signal: null }, 'server exits 0 on SIGTERM');
  }
});

// Sends an event asking for {{auto}} with the given extra headers; returns the stored event.
async function storedWithAuto(lt, headers) {
  const id = newEventId();
  const body = eventEnvelope(id, {
    platform: 'python',
    user: { id: 'u1', ip_address: '{{auto}}' },
    request: { url: 'https://example.com/', env: { REMOTE_ADDR: '{{auto}}' } },
  });
  const res = await lt.postEnvelope(body, { headers });
  assert.equal(res.status, 200, res.describe());
  return lt.waitForEvent(id);
}

function assertClientIp(event, ip) {
  assert.equal(event.user?.ip_address, ip, JSON.stringify(event.user));
  assert.equal(event.request?.env?.REMOTE_ADDR, ip, JSON.stringify(event.request));
}

test('trusted peer: the client IP comes from X-Forwarded-For', async () => {
  const lt = await server({ project: 'proxies-trusted', extraArgs: ['--trusted-proxies', '127.0.0.1/32'] });
  assert.match(lt.firstStart.stdout, /X-Forwarded-For behind trusted proxies: 127\.0\.0\.1\/32/);

  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '203.0.113.7' }), '203.0.113.7');
  // A spoofed left part is not believed: the right-most untrusted hop is the client.
  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '6.6.6.6, 203.0.113.8' }), '203.0.113.8');
  // Trusted hops on the right are skipped.
  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '198.51.100.4, 127.0.0.1' }), '198.51.100.4');
  // No header: the peer itself.
  assertClientIp(await storedWithAuto(lt, {}), '127.0.0.1');
});

test('no --trusted-proxies: X-Forwarded-For is ignored', async () => {
  const lt = await server({ project: 'proxies-none' });
  assert.doesNotMatch(lt.firstStart.stdout, /trusted proxies/);
  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '203.0.113.7' }), '127.0.0.1');
});

test('an untrusted peer is the client even with X-Forwarded-For', async () => {
  const lt = await server({ project: 'proxies-other', extraArgs: ['--trusted-proxies=10.0.0.0/8,fd00::/8'] });
  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '203.0.113.7' }), '127.0.0.1');
});

test('LIGHTTRACE_TRUSTED_PROXIES stands in for the flag', async () => {
  const lt = await server({
    project: 'proxies-env',
    env: { LIGHTTRACE_TRUSTED_PROXIES: '::1/128, 127.0.0.0/8' },
  });
  assertClientIp(await storedWithAuto(lt, { 'X-Forwarded-For': '2001:db8::7' }), '2001:db8::7');
});

test('a bad CIDR is a usage error (exit 2) naming the value', async () => {
  const dir = makeTempDir();
  try {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8,not-an-ip', '::/129']) {
      const res = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', dir, '--trusted-proxies', bad]);
      assert.equal(res.code, 2, `${bad}: ${res.stderr}`);
      assert.match(res.stderr, /--trusted-proxies: invalid CIDR '/);
    }
    const env = await runCli(['serve', '--listen', '127.0.0.1:0', '--data', dir], {
      env: { LIGHTTRACE_TRUSTED_PROXIES: 'bogus' },
    });
    assert.equal(env.code, 2, env.stderr);
    assert.match(env.stderr, /invalid CIDR 'bogus'/);
  } finally {
    removeDir(dir);
  }
});
