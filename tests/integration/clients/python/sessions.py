"""Release health: an application-mode session (`session` item) and request-mode sessions
through the WSGI middleware (aggregated `sessions` item)."""
import threading
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

from sentry_sdk.integrations.wsgi import SentryWsgiMiddleware

from lt_common import init, out

sentry_sdk = init()

# 1) application-mode session
hub = sentry_sdk.Hub.current
hub.start_session(session_mode="application")
try:
    raise RuntimeError("error during app session")
except RuntimeError as e:
    out({"kind": "id", "scenario": "app-session-error", "eventId": sentry_sdk.capture_exception(e)})
hub.end_session()
sentry_sdk.flush(5)


# 2) request-mode sessions via the WSGI middleware
def app(environ, start_response):
    if environ["PATH_INFO"] == "/boom":
        raise ZeroDivisionError("boom handler")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, SentryWsgiMiddleware(app), handler_class=Quiet)
port = server.server_address[1]
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
for path in ("/a", "/b", "/c", "/boom"):
    try:
        urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path)).read()
    except urllib.error.HTTPError:
        pass
server.shutdown()
sentry_sdk.flush(5)
sentry_sdk.Hub.current.client.close(5)
