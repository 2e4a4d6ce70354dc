// Unhandled exception: the OnUncaughtException integration captures it, flushes and exits(1).
import { init } from './common.mjs';

const Sentry = init({ traceLifecycle: 'static' });
Sentry.addBreadcrumb({ category: 'boot', message: 'config loaded' });
console.log('about to crash');
setTimeout(() => {
  // eslint-disable-next-line no-undef
  undefinedFunctionCall();
}, 10);
