"""Shared setup of the sentry-python client scripts (Debian python3-sentry-sdk 1.9.10).

init() points the SDK at LIGHTTRACE_DSN and observes its real HTTP transport: every request it
sends is described on stdout as an "LT {json}" line with the endpoint, the decoded items and the
status the server answered. Nothing about what the SDK sends is changed.
"""
import base64
import gzip
import json
import os
import sys
import threading

import sentry_sdk

_lock = threading.Lock()


def out(record):
    with _lock:
        sys.stdout.write("LT " + json.dumps(record) + "\n")
        sys.stdout.flush()


def parse_envelope(data):
    """Splits envelope bytes into (header, [(item_header, payload_bytes)])."""
    nl = data.find(b"\n")
    if nl < 0:
        return json.loads(data), []
    header = json.loads(data[:nl])
    pos = nl + 1
    items = []
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            nl = len(data)
        line = data[pos:nl]
        pos = nl + 1
        if not line.strip():
            continue
        item_header = json.loads(line)
        if "length" in item_header:
            length = item_header["length"]
            payload = data[pos:pos + length]
            pos += length + 1
        else:
            nl = data.find(b"\n", pos)
            if nl < 0:
                nl = len(data)
            payload = data[pos:nl]
            pos = nl + 1
        items.append((item_header, payload))
    return header, items


def describe_item(item_header, payload):
    described = {"type": item_header.get("type"), "headers": item_header}
    if item_header.get("type") == "attachment":
        described["base64"] = base64.b64encode(payload).decode()
    else:
        try:
            described["json"] = json.loads(payload)
        except ValueError:
            described["base64"] = base64.b64encode(payload).decode()
    return described


def describe_request(url, body, headers):
    headers = headers or {}
    raw = body if isinstance(body, bytes) else body.encode()
    encoding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "")
    data = gzip.decompress(raw) if encoding == "gzip" else raw
    record = {"kind": "sent", "url": url, "contentEncoding": encoding}
    if "/store/" in url:
        event = json.loads(data)
        record["endpoint"] = "store"
        record["eventId"] = event.get("event_id")
        record["items"] = [{"type": "event", "headers": {}, "json": event}]
    else:
        header, items = parse_envelope(data)
        record["endpoint"] = "envelope"
        record["eventId"] = header.get("event_id")
        record["items"] = [describe_item(h, p) for h, p in items]
    return record


def init(**options):
    dsn = os.environ["LIGHTTRACE_DSN"]
    kwargs = dict(
        dsn=dsn,
        release="demo@1.2.3",
        environment="production",
        server_name="integration-host",
    )
    kwargs.update(options)
    sentry_sdk.init(**kwargs)
    pool = sentry_sdk.Hub.current.client.transport._pool
    original = pool.request

    def observed_request(method, url, body=None, headers=None, **kw):
        try:
            response = original(method, url, body=body, headers=headers, **kw)
        except Exception as e:  # noqa: BLE001 - reported, then re-raised to the SDK
            record = describe_request(url, body, headers)
            record["kind"] = "send-error"
            record["error"] = repr(e)
            out(record)
            raise
        record = describe_request(url, body, headers)
        record["status"] = response.status
        out(record)
        return response

    pool.request = observed_request
    sentry_sdk.set_user({"id": "u-123", "email": "jane@example.com", "username": "jane"})
    sentry_sdk.set_tag("component", "checkout")
    return sentry_sdk
