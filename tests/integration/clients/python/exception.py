"""capture_exception with explicit (raise ... from) and implicit exception chains.
sentry-python 1.9.10 sends errors to the legacy /store/ endpoint as gzip JSON."""
from lt_common import init, out

sentry_sdk = init()


class PriceError(Exception):
    pass


def parse_price(item):
    try:
        return item["price"]["amount"] * 100
    except KeyError as e:
        raise PriceError("item has no price: %r" % (item,)) from e


def checkout(cart):
    return sum(parse_price(it) for it in cart["items"])


try:
    checkout({"items": [{"price": {"amount": 1}}, {"name": "broken"}]})
except Exception as e:
    out({"kind": "id", "scenario": "explicit-chain", "eventId": sentry_sdk.capture_exception(e)})

try:
    try:
        {}["missing"]
    except KeyError:
        1 / 0
except Exception as e:
    out({"kind": "id", "scenario": "implicit-chain", "eventId": sentry_sdk.capture_exception(e)})
sentry_sdk.flush(5)
