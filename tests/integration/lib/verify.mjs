// Checks that what a real SDK client sent (as reported by its "LT sent" records) was
// acknowledged with 200 and is stored and readable through the API.

import assert from 'node:assert/strict';
import { itemBytes } from './harness.mjs';

// Asserts the client process exited as expected and every envelope it sent got 200.
export function assertAllAcked(result, { exitCode = 0 } = {}) {
  const context = `client stdout:\n${result.stdout.slice(0, 4000)}\nstderr:\n${result.stderr.slice(0, 4000)}`;
  assert.equal(result.code, exitCode, `client exit code\n${context}`);
  const errors = result.records.filter((r) => r.kind === 'send-error');
  assert.deepEqual(errors, [], `transport errors\n${context}`);
  const sent = result.records.filter((r) => r.kind === 'sent');
  assert.ok(sent.length > 0, `the client sent nothing\n${context}`);
  for (const r of sent) {
    assert.equal(r.status, 200, `server answered ${r.status} to an envelope with ${r.items.map((i) => i.type)}\n${context}`);
  }
  return sent;
}

// All items the client sent, each with the envelope's event id.
export function sentItems(result) {
  return result.records
    .filter((r) => r.kind === 'sent')
    .flatMap((r) => r.items.map((item) => ({ ...item, envelopeEventId: r.eventId })));
}

export function idsOf(result, scenario) {
  return result.records.filter((r) => r.kind === 'id' && (!scenario || r.scenario === scenario)).map((r) => r.eventId);
}

// How an item of each kind is recognised among the stored items of its type.
function matcherFor(sent) {
  const p = sent.json;
  switch (sent.type) {
    case 'session':
      return (item) => item.payload?.sid === p.sid;
    case 'sessions':
      return (item) => JSON.stringify(item.payload?.aggregates) === JSON.stringify(p.aggregates);
    case 'client_report':
      return (item) => JSON.stringify(item.payload?.discarded_events) === JSON.stringify(p.discarded_events);
    case 'log':
      return (item) => JSON.stringify(item.payload?.items?.map((l) => [l.body, l.timestamp])) === JSON.stringify(p.items.map((l) => [l.body, l.timestamp]));
    case 'span':
      if (Array.isArray(p?.items)) {
        return (item) => JSON.stringify(item.payload?.items?.map((s) => s.span_id)) === JSON.stringify(p.items.map((s) => s.span_id));
      }
      return (item) => item.payload?.span_id === p.span_id;
    case 'trace_metric':
      return (item) => JSON.stringify(item.payload?.items?.map((m) => [m.name, m.timestamp])) === JSON.stringify(p.items.map((m) => [m.name, m.timestamp]));
    case 'check_in':
      return (item) => item.payload?.check_in_id === p.check_in_id && item.payload?.status === p.status;
    case 'attachment': {
      const want = Buffer.from(sent.base64, 'base64');
      return (item) => item.eventID === sent.envelopeEventId && itemBytes(item).equals(want);
    }
    case 'transaction':
    case 'feedback':
      return (item) => item.eventID === (sent.envelopeEventId ?? p.event_id);
    default:
      if (sent.base64 !== undefined) {
        const want = Buffer.from(sent.base64, 'base64');
        return (item) => itemBytes(item).equals(want);
      }
      return (item) => JSON.stringify(item.payload) === JSON.stringify(p);
  }
}

// Asserts every sent item is readable: events through the event JSON route (by the id the
// envelope/store request carried), everything else through /items/?type=T.
// Returns {events: Map(eventId -> stored JSON), items: Map(sent -> stored item)}.
export async function assertAllStored(lt, result) {
  const events = new Map();
  const items = new Map();
  for (const sent of sentItems(result)) {
    if (sent.type === 'event') {
      const id = sent.envelopeEventId ?? sent.json.event_id;
      assert.match(id, /^[0-9a-f]{32}$/);
      const stored = await lt.waitForEvent(id);
      assert.equal(stored.event_id, id, 'stored event_id');
      events.set(id, stored);
    } else {
      const stored = await lt.waitForItem(sent.type, matcherFor(sent));
      assert.equal(stored.type, sent.type);
      if (sent.type === 'attachment') {
        assert.ok(stored.payloadBase64 !== undefined, 'attachments are read back as payloadBase64');
      }
      items.set(sent, stored);
    }
  }
  return { events, items };
}
