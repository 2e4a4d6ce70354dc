"""A transaction with child spans (envelope, gzip) and an error captured inside it."""
import time

from lt_common import init, out

sentry_sdk = init(traces_sample_rate=1.0)
with sentry_sdk.start_transaction(op="task", name="process-order") as tx:
    out({"kind": "trace", "traceId": tx.trace_id, "transactionName": "process-order"})
    with tx.start_child(op="db.query", description="SELECT * FROM carts WHERE id = %s") as span:
        span.set_data("db.system", "postgresql")
        time.sleep(0.02)
    with tx.start_child(op="function", description="price items") as span:
        with span.start_child(op="http.client", description="GET /app/inventory"):
            time.sleep(0.005)
        try:
            None.total
        except AttributeError as e:
            out({"kind": "id", "scenario": "error-in-transaction", "eventId": sentry_sdk.capture_exception(e)})
sentry_sdk.flush(5)
