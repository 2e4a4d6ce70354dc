// Span streaming (the v11 default traceLifecycle 'stream'): spans go out as `span` v2 container
// items (content_type application/vnd.sentry.items.span.v2+json, item_count = number of spans).
import { init, out } from './common.mjs';

const Sentry = init({ tracesSampleRate: 1.0 });
let traceId;
await Sentry.startSpan({ name: 'GET /checkout', op: 'http.server', attributes: { 'http.method': 'GET' } }, async (root) => {
  traceId = root.spanContext().traceId;
  await Sentry.startSpan({ name: 'load cart', op: 'db.query', attributes: { 'db.system': 'postgresql' } }, async () => {
    await new Promise((r) => setTimeout(r, 20));
  });
  await Sentry.startSpan({ name: 'price items', op: 'function' }, async () => {
    await Sentry.startSpan({ name: 'fetch inventory', op: 'http.client' }, async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
  });
});
out({ kind: 'trace', traceId });
await Sentry.flush(5000);
await Sentry.close(5000);
