// Attachments (scope.addAttachment): one text and one binary attachment on an error event; the
// attachment items are length-framed and may contain newlines, CR and 0xFF bytes.
import { init, out } from './common.mjs';

const Sentry = init();
Sentry.withScope((scope) => {
  scope.addAttachment({ filename: 'config.txt', data: 'key=value\nline2\n', contentType: 'text/plain' });
  scope.addAttachment({ filename: 'blob.bin', data: new Uint8Array([0, 1, 2, 10, 13, 255, 10]) });
  const id = Sentry.captureException(new Error('event with attachments'));
  out({ kind: 'id', scenario: 'attachments', eventId: id });
});
await Sentry.flush(5000);
await Sentry.close(5000);
