"""Errors whose grouping the issues test checks: the same chain twice, a chain with another
cause, and messages that differ only in variable parts. Prints {kind: id, scenario, eventId}."""
from lt_common import init, out

sentry_sdk = init()


class SyncError(Exception):
    pass


def sync_account(cause):
    try:
        raise cause
    except Exception as e:
        raise SyncError("account sync failed") from e


for label, cause in [
    ("chain-key", KeyError("email")),
    ("chain-key", KeyError("phone")),
    ("chain-value", ValueError("bad email")),
]:
    try:
        sync_account(cause)
    except Exception as e:
        out({"kind": "id", "scenario": label, "eventId": sentry_sdk.capture_exception(e)})

for text in ("Job 1234 for user 17 timed out after 30 seconds", "Job 998 for user 4 timed out after 12 seconds"):
    out({"kind": "id", "scenario": "message", "eventId": sentry_sdk.capture_message(text)})
sentry_sdk.flush(5)
