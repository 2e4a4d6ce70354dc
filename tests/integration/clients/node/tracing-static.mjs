// Classic transactions (traceLifecycle 'static'): one transaction item with child spans, and an
// error captured inside a span (it carries the trace id).
import { init, out } from './common.mjs';

const Sentry = init({
  tracesSampleRate: 1.0,
  traceLifecycle: 'static',
  beforeSendTransaction(event) {
    out({ kind: 'captured', type: 'transaction', eventId: event.event_id, traceId: event.contexts?.trace?.trace_id, spans: (event.spans ?? []).map((s) => s.description) });
    return event;
  },
});
await Sentry.startSpan({ name: 'GET /checkout', op: 'http.server', attributes: { 'http.method': 'GET' } }, async () => {
  await Sentry.startSpan({ name: 'load cart', op: 'db.query', attributes: { 'db.system': 'postgresql' } }, async () => {
    await new Promise((r) => setTimeout(r, 20));
  });
  await Sentry.startSpan({ name: 'price items', op: 'function' }, async () => {
    await Sentry.startSpan({ name: 'fetch inventory', op: 'http.client' }, async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
    try {
      null.total;
    } catch (e) {
      const id = Sentry.captureException(e);
      out({ kind: 'id', scenario: 'error-in-span', eventId: id });
    }
  });
});
await Sentry.flush(5000);
await Sentry.close(5000);
