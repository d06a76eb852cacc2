"""Running the registry in production: request ids and JSON logs, metrics, health checks,
ProxyFix, and the operators' commands (serve, backup, restore, paths).

`init_app(app)` installs the request side; `commands.register(app)` the command line.
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.ops import access_log, events, logs, views  # noqa: F401  (views: /healthz, /readyz, /metrics)


def init_app(app: Flask) -> None:
    logs.init_app(app)
    access_log.init_app(app)
    events.listen()
    app.register_blueprint(views.blp)
    proxies = app.config["PROXY_COUNT"]
    if proxies:  # the client's address, scheme and host as the proxies in front saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
