"""An error with two attachments (text and binary): one envelope, every item length-framed."""
from lt_common import init, out

sentry_sdk = init()
with sentry_sdk.push_scope() as scope:
    scope.add_attachment(bytes=b"key=value\nline2\n", filename="config.txt", content_type="text/plain")
    scope.add_attachment(bytes=bytes([0, 1, 2, 10, 13, 255, 10]), filename="blob.bin")
    try:
        raise RuntimeError("event with attachments")
    except RuntimeError as e:
        out({"kind": "id", "scenario": "attachment", "eventId": sentry_sdk.capture_exception(e)})
sentry_sdk.flush(5)
