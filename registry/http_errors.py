"""One error contract for pages and API: HTML callers get a page, JSON callers the envelope.

The API (every path under /api/) and any request that prefers JSON get
`{"error": {"code", "message", "fields"}}` with a snake_case code, whether the error is the
registry's own (registry/errors.py), werkzeug's (404, 405, 413, 422 from webargs, 429) or
unexpected (500). Errors gunicorn answers before the app sees the request (a malformed request
line: its 400) are its own HTML and cannot be changed here.
"""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from registry.errors import RegistryError, snake_case
from registry.ops.access_log import request_id


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, "request_id": request_id()}}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if wants_json():
        return jsonify(error_body(code, message, fields)), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(RegistryError)
    def registry_error(exc: RegistryError):
        field = exc.details.get("field")
        return error_response(exc.status, exc.code, str(exc.message),
                              {field: [str(exc.message)]} if field else None)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = error_response(exc.code or 500, snake_case(exc.name), exc.description, invalid_fields(exc))
        headers = getattr(exc, "data", {}).get("headers") if isinstance(getattr(exc, "data", None), dict) else None
        if headers:  # e.g. WWW-Authenticate from webargs
            response[0].headers.extend(headers)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", "An unexpected error occurred.")


def invalid_fields(exc: HTTPException) -> dict:
    """The parameters webargs refused (flask-smorest's 422), as {name: [messages]}, whatever their location."""
    data = getattr(exc, "data", None)
    messages = data.get("messages") if isinstance(data, dict) else None
    fields: dict = {}
    if isinstance(messages, dict):
        for location, problems in messages.items():
            if isinstance(problems, dict):
                for name, texts in problems.items():
                    fields[name] = texts if isinstance(texts, (list, dict)) else [str(texts)]
            else:
                fields[location] = problems if isinstance(problems, list) else [str(problems)]
    return fields
