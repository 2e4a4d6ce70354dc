// Release health in server mode: an instrumented node:http server handles three requests, one of
// which fails with a captured error; on flush the SDK sends a `sessions` aggregate item.
import http from 'node:http';
import { init, out } from './common.mjs';

const Sentry = init({ traceLifecycle: 'static' });

const server = http.createServer((req, res) => {
  if (req.url === '/b') {
    const id = Sentry.captureException(new Error('request b failed'));
    out({ kind: 'id', scenario: 'request-error', eventId: id });
    res.writeHead(500);
    res.end('error');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
for (const p of ['/a', '/b', '/c']) {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  await r.text();
}
await new Promise((resolve) => server.close(resolve));
await new Promise((r) => setTimeout(r, 50));
await Sentry.flush(5000);
await Sentry.close(5000);
