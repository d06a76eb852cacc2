"""/healthz, /readyz and /metrics: JSON (or Prometheus text), no session, no rate limit.

/healthz answers as long as the process serves requests (a liveness probe: restart when it does
not); /readyz answers 503 naming the failing part while the database, the schema or Redis is not
there (a readiness probe: send no traffic meanwhile). Keep /metrics off the public internet
(docs/deploy/nginx.conf allows it from the host only).
"""
from flask import Blueprint, Response, jsonify

from registry.extensions import csrf, limiter
from registry.ops import health, metrics

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    return jsonify(status="alive")


@blp.get("/readyz")
def readyz():
    body, ready = health.readiness()
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.get("/metrics")
def metrics_text():
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


limiter.exempt(blp)
csrf.exempt(blp)
