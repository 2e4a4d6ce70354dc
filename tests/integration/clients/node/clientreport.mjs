// Client report: events dropped by beforeSend / beforeSendTransaction are counted by the SDK and
// reported in a `client_report` item when the client closes.
import { init, out } from './common.mjs';

const Sentry = init({
  traceLifecycle: 'static',
  tracesSampleRate: 1.0,
  beforeSend(event) {
    const drop = event.message?.startsWith('drop me');
    out({ kind: drop ? 'dropped' : 'captured', type: 'event', eventId: event.event_id });
    return drop ? null : event;
  },
  beforeSendTransaction() {
    return null;
  },
});
Sentry.captureMessage('drop me 1');
Sentry.captureMessage('drop me 2');
const id = Sentry.captureMessage('keep me');
out({ kind: 'id', scenario: 'kept', eventId: id });
await Sentry.startSpan({ name: 'dropped tx', op: 'task' }, async () => {
  await Sentry.startSpan({ name: 'child', op: 'task.child' }, async () => {});
});
await Sentry.flush(5000);
await Sentry.close(5000);
