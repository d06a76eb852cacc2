"""Hangzhou Quality Infrastructure Registry (杭州市质量基础设施登记平台).

`create_app` reads like a table of contents: settings, extensions, blueprints,
error handlers, commands. It touches no database and no network.
"""
from flask import Flask, current_app, has_request_context, request

from registry import api, cli, database, http_errors, models, ops  # noqa: F401  (models: register the tables)
from registry.config import INSTANCE_DIR, MIGRATIONS_DIR, TEMPLATES_DIR, Config
from registry.extensions import babel, csrf, db, login_manager, migrate
from registry.request_args import RegistryRequest
from registry.web import (  # noqa: F401  (access: the user loader)
    access,
    admin,
    audit,
    auth,
    bookings,
    maps,
    pages,
    plan_pages,
    search_pages,
    security,
    workspace,
)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=str(INSTANCE_DIR),
    )
    app.request_class = RegistryRequest  # absent query parameters read without an exception each
    app.config.update(Config.from_env())
    app.config.update(overrides or {})
    register_extensions(app)
    security.init_app(app)
    app.register_blueprint(pages.blp)
    app.register_blueprint(maps.blp)
    app.register_blueprint(search_pages.blp)
    app.register_blueprint(plan_pages.blp)
    app.register_blueprint(auth.blp)
    app.register_blueprint(audit.blp)
    app.register_blueprint(bookings.blp)
    app.register_blueprint(workspace.blp)
    app.register_blueprint(admin.blp)
    api.register(app)
    http_errors.register(app)
    ops.init_app(app)  # request ids, JSON logs, metrics, /healthz and /readyz
    cli.register(app)
    return app


def select_locale() -> str:
    """?lang= first, then the language cookie, then the browser's; Chinese by default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    for choice in (request.args.get("lang"), request.cookies.get("lang")):
        if choice in languages:
            return choice
    return request.accept_languages.best_match(languages) or languages[0]


def register_extensions(app: Flask) -> None:
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}), **database.replica_bind(app.config)}
    db.init_app(app)
    database.init_app(app)  # reads of read-only requests to the replica, when there is one
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    csrf.init_app(app)
    with app.app_context():
        for key, engine in db.engines.items():
            database.configure_engine_events(engine, read_only=key == database.REPLICA)
