// Errors and messages whose grouping the issues test checks. Every capture prints
// {kind: "id", scenario, eventId}; the test compares the issues the server put them in.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { init, out } from './common.mjs';

const Sentry = init();

function capture(scenario, error, context) {
  out({ kind: 'id', scenario, eventId: Sentry.captureException(error, context) });
}

// --- one call site, twice; a second call site ---
function loadInvoice(id) {
  throw new TypeError(`invoice ${id} has no lines`);
}
for (const id of [17, 42]) {
  try {
    loadInvoice(id);
  } catch (e) {
    capture('same-site', e);
  }
}
function loadReceipt(id) {
  throw new TypeError(`invoice ${id} has no lines`);
}
try {
  loadReceipt(7);
} catch (e) {
  capture('other-site', e);
}

// --- messages differing only in variable parts ---
const variants = [
  'Payment 1234 failed for jane@example.com (request 6f1c2a9e-8d7b-4c3a-9f2e-1a2b3c4d5e6f) at 2024-03-05T10:11:12Z',
  'Payment 98 failed for bob@example.org (request 0b9a8c7d-6e5f-4a3b-8c2d-9e8f7a6b5c4d) at 2025-11-30T23:59:01Z',
];
for (const text of variants) {
  out({ kind: 'id', scenario: 'message', eventId: Sentry.captureMessage(text, 'warning') });
}

// --- custom fingerprints ---
for (const [Kind, text] of [[RangeError, 'quota exceeded'], [SyntaxError, 'unexpected token']]) {
  try {
    throw new Kind(text);
  } catch (e) {
    capture('fingerprint', e, { fingerprint: ['billing-backend-down'] });
  }
}
// The values differ so that the SDK's dedupe integration keeps every event.
function chargeCard(attempt) {
  throw new Error(`card declined (attempt ${attempt})`);
}
for (const [attempt, tenant] of ['tenant-a', 'tenant-a', 'tenant-b'].entries()) {
  try {
    chargeCard(attempt);
  } catch (e) {
    capture(`hybrid-${tenant}`, e, { fingerprint: ['{{ default }}', tenant] });
  }
}

// --- cause chains: the whole chain groups (causes made at one place, so their stacks match) ---
function loadSettings(attempt, cause) {
  throw new Error(`could not load settings (attempt ${attempt})`, { cause });
}
const makeCause = (Kind, text) => new Kind(text);
for (const [attempt, [label, Kind, text]] of [
  ['chain-type', TypeError, 'x is undefined'],
  ['chain-type', TypeError, 'y is undefined'],
  ['chain-range', RangeError, 'x is out of range'],
].entries()) {
  try {
    loadSettings(attempt, makeCause(Kind, text));
  } catch (e) {
    capture(label, e);
  }
}

// --- in-app vs library frames: a library under node_modules (not in-app for the SDK) ---
const libraryDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lt-lib-')), 'node_modules', 'lt-fake-lib');
mkdirSync(libraryDir, { recursive: true });
writeFileSync(
  path.join(libraryDir, 'index.mjs'),
  [
    'export function parseStrict(text) { return strictInner(text); }',
    'function strictInner(text) { throw new Error("unparseable input"); }',
    'export function parseLoose(text) { return looseInner(text); }',
    'function looseInner(text) { throw new Error("unparseable input"); }',
    '',
  ].join('\n'),
);
const library = await import(path.join(libraryDir, 'index.mjs'));
function importOrders(parse) {
  return parse('<orders>');
}
function importCustomers(parse) {
  return parse('<customers>');
}
for (const [label, app, parse] of [
  ['library-a', importOrders, library.parseStrict],
  ['library-b', importOrders, library.parseLoose],
  ['app-changed', importCustomers, library.parseStrict],
]) {
  try {
    app(parse);
  } catch (e) {
    capture(label, e);
  }
}

await Sentry.flush(5000);
await Sentry.close(5000);
