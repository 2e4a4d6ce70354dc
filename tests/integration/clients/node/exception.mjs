// Error with a cause chain (linkedErrors integration): the event carries two exceptions.
import { init, out } from './common.mjs';

const Sentry = init();
try {
  try {
    JSON.parse('{bad json');
  } catch (inner) {
    throw new Error('Failed to load config', { cause: inner });
  }
} catch (e) {
  const id = Sentry.captureException(e, { tags: { chained: 'yes' }, level: 'error' });
  out({ kind: 'id', scenario: 'exception', eventId: id });
}
await Sentry.flush(5000);
await Sentry.close(5000);
