"""One error contract: HTML callers get a page, JSON callers the API envelope."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from registry.errors import RegistryError


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(RegistryError)
    def registry_error(exc: RegistryError):
        return error_response(exc.status, type(exc).__name__, str(exc.message))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", "An unexpected error occurred.")
