// Shared setup of the @sentry/node client scripts: init with the DSN from LIGHTTRACE_DSN and
// report, as "LT {json}" lines on stdout, what was captured and what the server answered to
// every envelope (the transport is the SDK's own node transport, wrapped only to observe it).
import { writeSync } from 'node:fs';
import * as Sentry from '@sentry/node';

export { Sentry };

// Synchronous write: the crash scenario exits from inside the SDK right after flushing.
export function out(record) {
  writeSync(1, `LT ${JSON.stringify(record)}\n`);
}

function describePayload(payload) {
  if (payload instanceof Uint8Array) return { base64: Buffer.from(payload).toString('base64') };
  if (typeof payload === 'string') return { base64: Buffer.from(payload, 'utf8').toString('base64') };
  return { json: payload };
}

function observingTransport(options) {
  const inner = Sentry.makeNodeTransport(options);
  return {
    ...inner,
    async send(envelope) {
      const [headers, items] = envelope;
      const described = items.map(([itemHeaders, payload]) => ({
        type: itemHeaders.type,
        headers: itemHeaders,
        ...describePayload(payload),
      }));
      try {
        const response = await inner.send(envelope);
        out({ kind: 'sent', status: response?.statusCode ?? null, eventId: headers.event_id ?? null, items: described });
        return response;
      } catch (error) {
        out({ kind: 'send-error', error: String(error), eventId: headers.event_id ?? null, items: described });
        throw error;
      }
    },
  };
}

export function init(options = {}) {
  const dsn = process.env.LIGHTTRACE_DSN;
  if (!dsn) throw new Error('LIGHTTRACE_DSN is not set');
  Sentry.init({
    dsn,
    release: 'demo@1.2.3',
    environment: 'production',
    serverName: 'integration-host',
    transport: observingTransport,
    beforeSend(event) {
      out({ kind: 'captured', type: event.type ?? 'event', eventId: event.event_id });
      return event;
    },
    ...options,
  });
  Sentry.setUser({ id: 'u-123', email: 'jane@example.com', username: 'jane' });
  Sentry.setTag('component', 'checkout');
  return Sentry;
}
