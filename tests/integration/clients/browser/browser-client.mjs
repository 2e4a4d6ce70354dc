// @sentry/browser 11 running in node behind a minimal window/document/navigator/location
// stand-in. The SDK's own fetch transport sends the envelopes (a text/plain string body, auth in
// the query string); window.fetch is node's fetch wrapped only to add the Origin header a real
// browser would send and to report each response, with its CORS headers, as "LT {json}" lines.
import { writeSync } from 'node:fs';

const out = (record) => writeSync(1, `LT ${JSON.stringify(record)}\n`);
const PAGE = 'http://example.test/shop/checkout';

const nodeFetch = globalThis.fetch;
async function browserFetch(url, init = {}) {
  const headers = new Headers(init.headers ?? {});
  headers.set('Origin', 'http://example.test');
  const body = init.body;
  const response = await nodeFetch(url, { ...init, headers, keepalive: undefined });
  const responseHeaders = Object.fromEntries(response.headers.entries());
  const clone = response.clone();
  const text = await clone.text();
  out({
    kind: 'fetch',
    url: String(url),
    method: init.method ?? 'GET',
    bodyType: typeof body,
    requestHeaders: Object.fromEntries(headers.entries()),
    status: response.status,
    responseHeaders,
    responseBody: text,
  });
  return response;
}

const listeners = {};
const fakeDocument = {
  readyState: 'complete',
  visibilityState: 'visible',
  referrer: '',
  title: 'Checkout',
  location: new URL(PAGE),
  addEventListener: () => {},
  removeEventListener: () => {},
  // no createElement: the SDK then uses window.fetch as it is
};
const fakeWindow = globalThis;
Object.assign(fakeWindow, {
  window: fakeWindow,
  self: fakeWindow,
  document: fakeDocument,
  location: new URL(PAGE),
  fetch: browserFetch,
  addEventListener: (name, fn) => ((listeners[name] ??= []).push(fn)),
  removeEventListener: () => {},
  history: { pushState() {}, replaceState() {}, state: null, length: 1 },
});
Object.defineProperty(globalThis, 'navigator', {
  value: {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
    language: 'en-US',
    onLine: true,
  },
  configurable: true,
  writable: true,
});

const Sentry = await import('@sentry/browser');
const dsn = process.env.LIGHTTRACE_DSN;
Sentry.init({
  dsn,
  release: 'web@2.0.0',
  environment: 'production',
  // the page-lifecycle integrations need a real DOM; keep the ones that shape events
  defaultIntegrations: false,
  integrations: [Sentry.linkedErrorsIntegration(), Sentry.dedupeIntegration(), Sentry.httpContextIntegration()],
  beforeSend(event) {
    out({ kind: 'captured', type: 'event', eventId: event.event_id });
    return event;
  },
});
Sentry.setUser({ id: 'web-7' });
const id = Sentry.captureException(new TypeError("Cannot read properties of undefined (reading 'price')"));
out({ kind: 'id', scenario: 'browser-exception', eventId: id });
const msgId = Sentry.captureMessage('checkout button clicked twice', 'warning');
out({ kind: 'id', scenario: 'browser-message', eventId: msgId });
await Sentry.flush(5000);
await Sentry.close(5000);
