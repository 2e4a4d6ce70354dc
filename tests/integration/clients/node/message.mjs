// captureMessage, plain and parameterized (message events carry logentry + a synthetic exception).
import { init, out } from './common.mjs';

const Sentry = init();
Sentry.addBreadcrumb({ category: 'auth', message: 'login attempt', level: 'info' });
const user = 'jane';
const attempts = 3;
const id1 = Sentry.captureMessage(Sentry.parameterize`User ${user} failed to login ${attempts} times`, 'warning');
out({ kind: 'id', scenario: 'message-param', eventId: id1 });
const id2 = Sentry.captureMessage('Plain message with fingerprint', { level: 'info', fingerprint: ['plain-msg'] });
out({ kind: 'id', scenario: 'message-plain', eventId: id2 });
await Sentry.flush(5000);
await Sentry.close(5000);
