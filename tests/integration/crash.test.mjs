// Durability across kill -9: the load generator sends real error envelopes for ~15 s while the
// server is SIGKILLed 5 times at random moments (and restarted on the same port and data dir).
// Every event id that was acknowledged with 200 must end up stored exactly once.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  CORPUS_DIR,
  LIGHTTRACE_LOADGEN,
  SYSTEM_PYTHON,
  makeTempDir,
  poll,
  removeDir,
  run,
  sleep,
  startLightTrace,
} from './lib/harness.mjs';

const LOAD_SECONDS = 15;
const KILLS = 5;
let lt;
let scratch;

before(async () => {
  lt = await startLightTrace({ project: 'crash' });
  scratch = makeTempDir('lighttrace-crash-');
});

after(async () => {
  if (lt) await lt.stop();
  removeDir(scratch);
});

function runLoadgen(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(LIGHTTRACE_LOADGEN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// The spool backlog gauge: 0 once the pipeline has stored everything that was acknowledged.
async function spoolDepth() {
  const m = await lt.metrics();
  const gauges = m.filter((x) => /^lighttrace_spool_.*(depth|backlog|pending)/.test(x.name));
  assert.ok(gauges.length > 0, `no spool depth gauge in /metrics; names: ${[...new Set(m.map((x) => x.name))].join(', ')}`);
  return gauges.reduce((n, g) => n + g.value, 0);
}

async function storedEventCounts(dataDir, projectId) {
  const db = path.join(dataDir, 'lighttrace.db');
  assert.ok(existsSync(db), `${db} missing`);
  const script = `
import json, sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = con.execute("SELECT event_id, COUNT(*) FROM items WHERE type = 'event' AND project_id = ? GROUP BY event_id", (int(sys.argv[2]),)).fetchall()
json.dump({r[0]: r[1] for r in rows}, sys.stdout)
`;
  const r = await run(SYSTEM_PYTHON, ['-c', script, db, String(projectId)], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `reading ${db} failed: ${r.stderr}`);
  return new Map(Object.entries(JSON.parse(r.stdout)));
}

test(`kill -9 ${KILLS} times under load: 0 acknowledged events lost, 0 duplicated`, { timeout: 180_000 }, async () => {
  assert.ok(existsSync(LIGHTTRACE_LOADGEN), `load generator ${LIGHTTRACE_LOADGEN} not found (ninja -C build lighttrace-loadgen)`);
  const ackLog = path.join(scratch, 'acks.log');
  const load = runLoadgen([
    '--target', lt.baseUrl,
    '--dsn', lt.dsn,
    '--fixtures', CORPUS_DIR,
    '--connections', '16',
    '--rate', '2000',
    '--warmup', '0',
    '--duration', String(LOAD_SECONDS),
    '--gzip',
    '--unique', '40000',
    '--ack-log', ackLog,
  ]);

  // Kill at random moments spread over the load window; restart within ~200 ms each time.
  const kills = [];
  const loadStart = Date.now();
  const slot = ((LOAD_SECONDS - 2) * 1000) / KILLS;
  for (let i = 0; i < KILLS; i++) {
    const target = 1000 + i * slot + Math.random() * (slot - 600);
    const wait = loadStart + target - Date.now();
    if (wait > 0) await sleep(wait);
    const exit = await lt.server.kill9();
    assert.equal(exit.signal, 'SIGKILL', `server was still running before kill ${i + 1}: ${JSON.stringify(exit)}`);
    const down = Date.now();
    await sleep(Math.random() * 200);
    await lt.server.start();
    kills.push({ atMs: down - loadStart, downMs: Date.now() - down });
  }
  const result = await load;
  assert.equal(result.code, 0, `loadgen failed:\n${result.stderr.slice(-3000)}`);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop());

  // one more crash right after the load, then a clean restart and drain
  await lt.server.kill9();
  await lt.server.start();
  await poll('spool depth 0', async () => (await spoolDepth()) === 0, { timeoutMs: 60_000, intervalMs: 100 });
  const stop = await lt.server.stop();
  assert.deepEqual(stop, { code: 0, signal: null }, 'SIGTERM after recovery exits 0');

  const ackLines = readFileSync(ackLog, 'utf8').split('\n').filter(Boolean);
  for (const id of ackLines) assert.match(id, /^[0-9a-f]{32}$/, 'ack log lines are event ids');
  const acked = new Set(ackLines);
  const stored = await storedEventCounts(lt.dataDir, lt.projectId);
  const lost = [...acked].filter((id) => !stored.has(id));
  const duplicated = [...stored].filter(([, n]) => n > 1);
  const unacked = [...stored.keys()].filter((id) => !acked.has(id)).length;
  console.log(
    `crash test: kills at ${kills.map((k) => `${(k.atMs / 1000).toFixed(1)}s(down ${k.downMs}ms)`).join(', ')}; ` +
      `loadgen requests=${summary.requests} accepted=${summary.accepted} errors=${JSON.stringify(summary.errors)}; ` +
      `acked ids=${acked.size} (lines ${ackLines.length}); stored=${stored.size}; lost=${lost.length}; ` +
      `duplicated=${duplicated.length}; stored but not acked=${unacked}`,
  );
  assert.ok(acked.size >= 1000, `only ${acked.size} events were acknowledged: the test proves little`);
  assert.ok(summary.accepted >= acked.size, 'loadgen summary agrees with the ack log');
  assert.deepEqual(lost.slice(0, 20), [], `${lost.length} acknowledged events were lost`);
  assert.deepEqual(duplicated.slice(0, 20), [], `${duplicated.length} events were stored more than once`);
  assert.equal(kills.length, KILLS);
});
