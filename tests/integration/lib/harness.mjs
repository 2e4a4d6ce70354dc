// Test harness for LightTrace integration tests.
//
// Each test file starts its own server (own port, own temporary data directory) through
// startLightTrace(), talks to it over real HTTP, and stops it at the end. Nothing here mocks
// the server: LIGHTTRACE_BIN is the real binary (default: <repo>/build/lighttrace).
//
// Reading back is asynchronous (ingest acks after the spool write; the pipeline stores a moment
// later), so every read-back helper polls instead of sleeping a fixed time.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const INTEGRATION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(INTEGRATION_DIR, '../..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'tests/fixtures');
export const CORPUS_DIR = path.join(FIXTURES_DIR, 'corpus');
export const CLIENTS_DIR = path.join(INTEGRATION_DIR, 'clients');
export const LIGHTTRACE_BIN = process.env.LIGHTTRACE_BIN || path.join(REPO_ROOT, 'build/lighttrace');
export const LIGHTTRACE_LOADGEN =
  process.env.LIGHTTRACE_LOADGEN || path.join(REPO_ROOT, 'build/lighttrace-loadgen');
// The Debian interpreter: sentry-sdk 1.9.10 and brotli come from python3-* packages, which a
// pyenv/venv python3 earlier in PATH would not see.
export const SYSTEM_PYTHON = process.env.LIGHTTRACE_PYTHON || '/usr/bin/python3';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// processes

// Runs a command to completion. Never throws for a non-zero exit: returns {code, signal,
// stdout, stderr} so tests assert on them.
export function run(cmd, args, { env, input, timeoutMs = 60_000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export function runCli(args, opts = {}) {
  return run(LIGHTTRACE_BIN, args, opts);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function makeTempDir(prefix = 'lighttrace-it-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  if (dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

// One `lighttrace serve` process. start() resolves once the server printed
// "listening on http://127.0.0.1:PORT"; it can be restarted on the same port and data dir.
export class ServerProcess {
  constructor({ port, dataDir, url, extraArgs = [], env = {} }) {
    this.port = port;
    this.dataDir = dataDir;
    this.url = url;
    this.extraArgs = extraArgs;
    this.env = env;
    this.child = null;
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal} once the current process exited
    this.starts = 0;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start({ timeoutMs = 20_000 } = {}) {
    assert.equal(this.child, null, 'server already running');
    assert.ok(
      existsSync(LIGHTTRACE_BIN),
      `server binary ${LIGHTTRACE_BIN} not found (build it: ninja -C build lighttrace, or set LIGHTTRACE_BIN)`,
    );
    const args = ['serve', '--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir];
    if (this.url) args.push('--url', this.url);
    args.push(...this.extraArgs);
    const child = spawn(LIGHTTRACE_BIN, args, {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = null;
    this.starts += 1;
    let stdout = '';
    let stderr = '';
    const exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        if (this.child === child) this.child = null;
        resolve(this.exit);
      });
    });
    this.exited = exited;
    child.stdout.on('data', (d) => {
      stdout += d;
      this.stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      this.stderr += d;
      if (process.env.LIGHTTRACE_TEST_VERBOSE) process.stderr.write(d);
    });
    const marker = `listening on http://127.0.0.1:${this.port}`;
    const deadline = Date.now() + timeoutMs;
    while (!stdout.includes(marker)) {
      if (this.exit) {
        throw new Error(
          `lighttrace serve exited (${JSON.stringify(this.exit)}) before listening\n` +
            `stdout:\n${stdout}\nstderr:\n${stderr}`,
        );
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `lighttrace serve did not print "${marker}" within ${timeoutMs} ms\n` +
            `stdout:\n${stdout}\nstderr:\n${stderr}`,
        );
      }
      await sleep(10);
    }
    this.lastStartStdout = stdout;
    return { stdout, dsn: parseDsnLine(stdout), token: parseTokenLine(stdout) };
  }

  // SIGTERM, wait for the exit; returns {code, signal}. Callers assert code 0.
  async stop({ timeoutMs = 20_000 } = {}) {
    const child = this.child;
    if (!child) return this.exit;
    const exited = this.exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }

  async kill9() {
    const child = this.child;
    if (!child) return this.exit;
    const exited = this.exited;
    child.kill('SIGKILL');
    return exited;
  }

  get running() {
    return this.child !== null;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  // Peak and current resident memory of the running server in bytes (Linux /proc), or null.
  memory() {
    if (!this.child) return null;
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
      return { peak: kb('VmHWM'), rss: kb('VmRSS') };
    } catch {
      return null;
    }
  }
}

export function parseDsnLine(text) {
  const m = /DSN:\s*(\S+)/.exec(text);
  return m ? m[1] : null;
}

export function parseTokenLine(text) {
  const m = /API token:\s*(\S+)/.exec(text);
  return m ? m[1] : null;
}

export function parseDsn(dsn) {
  const u = new URL(dsn);
  const parts = u.pathname.split('/').filter(Boolean);
  return {
    protocol: u.protocol.replace(':', ''),
    key: decodeURIComponent(u.username),
    host: u.hostname,
    port: u.port,
    projectId: parts[parts.length - 1],
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

// A request with full control over headers: nothing is added except Host (unless given) and
// Content-Length (unless `chunked` or a transfer-encoding/content-length header is given).
// `body` may be a Buffer/string, or an array of Buffers sent as separate chunks when chunked.
export function request(baseUrl, reqPath, { method = 'POST', headers = {}, body, chunked = false, timeoutMs = 30_000 } = {}) {
  const url = new URL(reqPath, baseUrl);
  const hdrs = { ...headers };
  const lower = Object.fromEntries(Object.keys(hdrs).map((k) => [k.toLowerCase(), k]));
  if (!lower.host) hdrs.Host = url.host;
  const chunks =
    body === undefined ? [] : Array.isArray(body) ? body.map(toBuf) : [toBuf(body)];
  if (!chunked && !lower['content-length'] && !lower['transfer-encoding'] && (body !== undefined || method === 'POST')) {
    hdrs['Content-Length'] = String(chunks.reduce((n, c) => n + c.length, 0));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: hdrs,
        agent: false,
        setHost: false,
      },
      (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const buf = Buffer.concat(parts);
          resolve(new HttpResponse(res.statusCode, res.headers, buf));
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request ${method} ${reqPath} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

function toBuf(b) {
  return Buffer.isBuffer(b) ? b : Buffer.from(b);
}

export class HttpResponse {
  constructor(status, headers, body) {
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
  get text() {
    return this.body.toString('utf8');
  }
  json() {
    try {
      return JSON.parse(this.text);
    } catch (e) {
      throw new Error(`response (status ${this.status}) is not JSON: ${this.text.slice(0, 500)}`);
    }
  }
  // For assertion messages.
  describe() {
    return `HTTP ${this.status} ${this.text.slice(0, 300)}`;
  }
}

// Raw TCP helper for wire-level tests. Resolves with everything the server sent before closing
// (or before `timeoutMs`).
export function rawExchange(port, chunks, { timeoutMs = 15_000, delayMs = 0, endAfter = true } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const got = [];
    let closed = false;
    const finish = (why) => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ why, data: Buffer.concat(got).toString('latin1') });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('data', (d) => got.push(d));
    sock.on('end', () => finish('end'));
    sock.on('close', () => finish('close'));
    sock.on('error', () => finish('error'));
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (closed) return;
        sock.write(c);
        if (delayMs) await sleep(delayMs);
      }
      if (endAfter && !closed) sock.end();
    });
  });
}

// Sends a request over a raw socket: `head` is the request line + headers (without the blank
// line), `bodyChunks` Buffers written one after the other (respecting back-pressure). Stops
// writing as soon as the server answers or closes, so a server that rejects early (413) is seen
// as the answer instead of as a write error. Resolves {status, headers, body, closed}.
// With `writeAll`, keeps writing the whole body even after an early answer, as SDK transports
// do (they read the answer only after sending everything).
export function rawHttp(port, head, bodyChunks = [], { timeoutMs = 60_000, writeAll = false } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const got = [];
    let done = false;
    let answered = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...parseRawResponse(Buffer.concat(got)), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on('data', (d) => {
      got.push(d);
      answered = true;
      const parsed = parseRawResponse(Buffer.concat(got));
      if (parsed.complete) finish(false);
    });
    sock.on('close', () => finish(true));
    sock.on('error', () => {});
    sock.on('connect', async () => {
      sock.write(`${head}\r\n\r\n`);
      for (const c of bodyChunks) {
        if (done || (answered && !writeAll) || sock.destroyed) return;
        if (!sock.write(c)) {
          await new Promise((resolve) => {
            const wake = () => {
              sock.off('drain', wake);
              sock.off('close', wake);
              resolve();
            };
            sock.on('drain', wake);
            sock.on('close', wake);
          });
        }
      }
    });
  });
}

function parseRawResponse(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return { status: null, headers: {}, body: Buffer.alloc(0), complete: false };
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  let complete = false;
  if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    complete = body.length >= n;
    body = body.subarray(0, n);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    complete = body.includes('0\r\n\r\n');
    const parts = [];
    let pos = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', pos);
      if (nl < 0) break;
      const size = parseInt(body.subarray(pos, nl).toString('latin1'), 16);
      if (!size) break;
      parts.push(body.subarray(nl + 2, nl + 2 + size));
      pos = nl + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, body, complete };
}

// ---------------------------------------------------------------------------------------------
// envelopes

// Builds an envelope. items: [{headers:{type,...}, payload: object|string|Buffer, withLength}]
export function envelope(header, items) {
  const parts = [Buffer.from(JSON.stringify(header) + '\n')];
  for (const it of items) {
    const payload = Buffer.isBuffer(it.payload)
      ? it.payload
      : Buffer.from(typeof it.payload === 'string' ? it.payload : JSON.stringify(it.payload));
    const h = { ...it.headers };
    if (it.withLength !== false && h.length === undefined) h.length = payload.length;
    parts.push(Buffer.from(JSON.stringify(h) + '\n'), payload, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export function newEventId() {
  return crypto.randomUUID().replaceAll('-', '');
}

export function eventEnvelope(eventId, event = {}) {
  return envelope({ event_id: eventId, sent_at: new Date().toISOString() }, [
    {
      headers: { type: 'event' },
      payload: {
        event_id: eventId,
        timestamp: Date.now() / 1000,
        platform: 'node',
        level: 'error',
        message: 'integration test event',
        ...event,
      },
    },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Prometheus text

export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let lm;
      while ((lm = re.exec(m[3]))) labels[lm[1]] = lm[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

export function sumMetric(metrics, name, filter = () => true) {
  return metrics.filter((m) => m.name === name && filter(m.labels)).reduce((n, m) => n + m.value, 0);
}

// ---------------------------------------------------------------------------------------------
// one server + one project + one token, ready for a test file

export class LightTrace {
  constructor() {
    this.server = null;
    this.dataDir = null;
  }

  get baseUrl() {
    return this.server.baseUrl;
  }

  get port() {
    return this.server.port;
  }

  // Options: org/project slugs of the test project (created through the CLI).
  async start(opts = {}) {
    try {
      return await this._start(opts);
    } catch (e) {
      if (this.server?.running) await this.server.kill9();
      removeDir(this.dataDir);
      throw e;
    }
  }

  async _start({ project = 'it', org = 'default', url, extraArgs = [], env = {} } = {}) {
    this.dataDir = makeTempDir();
    const port = await freePort();
    this.server = new ServerProcess({ port, dataDir: this.dataDir, url, extraArgs, env });
    const first = await this.server.start();
    this.firstStart = first;
    this.org = org;
    this.project = project;

    const created = await runCli(['project', 'create', '--org', org, '--project', project, '--data', this.dataDir]);
    assert.equal(created.code, 0, `project create failed: ${created.stderr}`);
    this.dsn = created.stdout.trim().split('\n').pop().trim();
    const d = parseDsn(this.dsn);
    this.key = d.key;
    this.projectId = d.projectId;
    // The DSN of the CLI points at the public URL; tests talk to the real port.
    this.localDsn = `http://${this.key}@127.0.0.1:${port}/${this.projectId}`;

    const tok = await runCli(['token', 'create', '--org', org, '--data', this.dataDir]);
    assert.equal(tok.code, 0, `token create failed: ${tok.stderr}`);
    this.token = tok.stdout.trim().split('\n').pop().trim();
    return this;
  }

  // Stops the server with SIGTERM; returns the exit status. Removes the data dir if `cleanup`.
  async stop({ cleanup = true } = {}) {
    let status = null;
    if (this.server) status = await this.server.stop();
    if (cleanup) removeDir(this.dataDir);
    return status;
  }

  // --- ingest ---

  envelopePath(projectId = this.projectId) {
    return `/api/${projectId}/envelope/`;
  }

  storePath(projectId = this.projectId) {
    return `/api/${projectId}/store/`;
  }

  authHeader(key = this.key) {
    return `Sentry sentry_key=${key}, sentry_version=7, sentry_client=lighttrace-it/1.0`;
  }

  postRaw(reqPath, opts = {}) {
    return request(this.baseUrl, reqPath, { method: 'POST', ...opts });
  }

  // POSTs an envelope with X-Sentry-Auth (unless headers carry other auth).
  postEnvelope(body, { headers = {}, projectId, chunked = false } = {}) {
    return this.postRaw(this.envelopePath(projectId), {
      headers: { 'X-Sentry-Auth': this.authHeader(), 'Content-Type': 'application/x-sentry-envelope', ...headers },
      body,
      chunked,
    });
  }

  // Sends one ordinary event and checks it is acknowledged and stored: the "server still
  // works" probe used after every bad-input case.
  async assertHealthy(message = 'health probe') {
    const id = newEventId();
    const res = await this.postEnvelope(eventEnvelope(id, { message }));
    assert.equal(res.status, 200, `healthy envelope answered ${res.describe()}`);
    assert.equal(res.json().id, id);
    const ev = await this.waitForEvent(id);
    assert.equal(ev.event_id, id);
    return id;
  }

  // --- read back ---

  get(reqPath, { token = this.token, headers = {} } = {}) {
    const h = { ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    return request(this.baseUrl, reqPath, { method: 'GET', headers: h });
  }

  async getJson(reqPath, opts) {
    const res = await this.get(reqPath, opts);
    return { status: res.status, body: res.status < 300 ? res.json() : res.text, res };
  }

  eventPath(eventId, { org = this.org, project = this.project } = {}) {
    return `/api/0/projects/${org}/${project}/events/${eventId}/json/`;
  }

  async getEvent(eventId, opts) {
    const res = await this.get(this.eventPath(eventId, opts));
    return res.status === 200 ? res.json() : null;
  }

  // Polls until the event is readable; returns its stored JSON.
  async waitForEvent(eventId, { timeoutMs = 10_000, ...opts } = {}) {
    return poll(`event ${eventId}`, () => this.getEvent(eventId, opts), { timeoutMs });
  }

  async listItems({ type, limit = 1000, org = this.org, project = this.project } = {}) {
    const q = new URLSearchParams({ limit: String(limit), full: '1' });
    if (type) q.set('type', type);
    const res = await this.get(`/api/0/projects/${org}/${project}/items/?${q}`);
    assert.equal(res.status, 200, `items route answered ${res.describe()}`);
    const body = res.json();
    assert.ok(Array.isArray(body), 'items route must answer a JSON array');
    return body;
  }

  // Polls /items/ until `predicate(items)` returns a truthy value, which is returned.
  // predicate receives the whole list (of `type` if given).
  async waitForItems(predicate, { type, timeoutMs = 10_000, ...opts } = {}) {
    let last = [];
    try {
      return await poll(
        `items${type ? ` of type ${type}` : ''}`,
        async () => {
          last = await this.listItems({ type, ...opts });
          const r = predicate(last);
          return r || null;
        },
        { timeoutMs },
      );
    } catch (e) {
      e.message += `\nlast items seen: ${JSON.stringify(last.map((i) => ({ type: i.type, eventID: i.eventID, size: i.size }))).slice(0, 2000)}`;
      throw e;
    }
  }

  // Polls until an item of `type` matching `match(item)` exists; returns it.
  waitForItem(type, match = () => true, opts = {}) {
    return this.waitForItems((items) => items.find((i) => i.type === type && match(i)), { type, ...opts });
  }

  async metrics() {
    const res = await request(this.baseUrl, '/metrics', { method: 'GET' });
    assert.equal(res.status, 200, `/metrics answered ${res.describe()}`);
    return parseMetrics(res.text);
  }
}

export async function startLightTrace(opts) {
  const lt = new LightTrace();
  await lt.start(opts);
  return lt;
}

// Polls fn() every `intervalMs` until it returns a non-null/undefined/false value.
export async function poll(what, fn, { timeoutMs = 10_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

// Decodes an item's payload to a Buffer (items route: payload = parsed JSON, payloadBase64 = bytes).
export function itemBytes(item) {
  if (item.payloadBase64 !== undefined && item.payloadBase64 !== null) return Buffer.from(item.payloadBase64, 'base64');
  return Buffer.from(JSON.stringify(item.payload));
}

// Runs a client script (node or python) with the DSN in LIGHTTRACE_DSN and parses the
// "LT {json}" lines the clients print about what they captured and what the server answered.
export async function runClient(cmd, args, { dsn, env = {}, timeoutMs = 60_000 } = {}) {
  const res = await run(cmd, args, { env: { LIGHTTRACE_DSN: dsn, ...env }, timeoutMs });
  const records = [];
  for (const line of res.stdout.split('\n')) {
    if (line.startsWith('LT ')) records.push(JSON.parse(line.slice(3)));
  }
  return { ...res, records };
}

export function nodeClient(script, opts) {
  return runClient(process.execPath, [path.join(CLIENTS_DIR, 'node', script)], opts);
}

export function pythonClient(script, opts = {}) {
  // no __pycache__ in the source tree
  const env = { PYTHONDONTWRITEBYTECODE: '1', ...opts.env };
  return runClient(SYSTEM_PYTHON, [path.join(CLIENTS_DIR, 'python', script)], { ...opts, env });
}

// Resolves `true` if the command exists on PATH.
export async function haveCommand(cmd) {
  try {
    const r = await run('sh', ['-c', `command -v ${cmd}`]);
    return r.code === 0;
  } catch {
    return false;
  }
}
