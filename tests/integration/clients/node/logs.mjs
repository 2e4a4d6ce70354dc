// Structured logs (Sentry.logger.*) and trace metrics: `log` and `trace_metric` container items.
import { init } from './common.mjs';

const Sentry = init({ enableLogs: true, enableMetrics: true });
Sentry.logger.info('User logged in', { userId: 'u-123', plan: 'pro' });
Sentry.logger.warn(Sentry.logger.fmt`Cart ${'ord-9'} has ${3} items over limit`, { limit: 2 });
Sentry.logger.error(Sentry.logger.fmt`Payment declined ${'card_expired'} for ${'u-123'}`, { amount: 42.5 });
Sentry.logger.debug('cache miss', { key: 'cart:ord-9' });
Sentry.logger.fatal('worker pool exhausted');
if (Sentry.metrics?.count) {
  Sentry.metrics.count('checkout.attempt', 1, { attributes: { region: 'eu' } });
  Sentry.metrics.gauge('queue.depth', 17);
  Sentry.metrics.distribution('checkout.latency', 123.4, { unit: 'millisecond' });
}
await Sentry.flush(5000);
await Sentry.close(5000);
