"""capture_message and a logging.error record (LoggingIntegration turns it into an event)."""
import logging

from lt_common import init, out

sentry_sdk = init()
sentry_sdk.add_breadcrumb(category="auth", message="login attempt", level="info")
out({"kind": "id", "scenario": "message", "eventId": sentry_sdk.capture_message("Plain message from python", level="warning")})
logging.getLogger("shop.auth").error("User %s failed to login %d times", "jane", 3)
sentry_sdk.flush(5)
