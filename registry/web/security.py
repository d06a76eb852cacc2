"""What every request and answer goes through, in one place: security headers with a per-request
CSP nonce, refusal of control characters and out-of-range dates at the edge (and the page number
of paged lists), the one check of a `next` redirect target, and the absolute lifetime of a
signed-in session.

The CSP allows scripts from this site and inline scripts carrying the request's nonce only. Our
templates write `nonce="{{ csp_nonce() }}"`; HTML that a library generates whole (folium maps,
flask-smorest's Swagger UI page) gets the nonce added to its `<script>` tags here, which is safe
because those generators put data into scripts as JSON (`<` escaped), never as markup.
"""
import re
import secrets
import time
from datetime import date
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, NotFound, UnprocessableEntity

# C0 controls but tab, line feed and carriage return (which forms' text areas send), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Anything a browser strips or reads as a separator in a URL (tab, newlines, spaces, backslash).
UNSAFE_IN_REDIRECT = re.compile(r"[\x00-\x20\x7f\\]")
MAX_PAGE = 100_000
PAGE_NUMBER = re.compile(r"^[+-]?\d+$")
DAY_ARGS = ("start", "end", "since", "until", "date", "day")
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)
# Pages produced whole by a library (folium, flask-smorest): their inline scripts get the nonce.
GENERATED_PAGES = {"maps.map_page", "search.facility_map_page", "audit.district_map", "audit.accessibility_map",
                   "audit.unmet_map", "audit.public_standards_map", "plan.map_page", "api-docs.openapi_swagger_ui"}
TILE_HOSTS = {"none": "", "osm": "https://tile.openstreetmap.org", "tianditu": "https://*.tianditu.gov.cn",
              "amap": "https://*.is.autonavi.com"}
SCRIPT_TAG = re.compile(r"<script(?=[\s>])")


def init_app(app: Flask) -> None:
    if app.config.get("SESSION_COOKIE_SECURE") is None:  # unset: Secure unless debugging or testing
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app.before_request(refuse_control_characters)
    app.before_request(refuse_out_of_range_arguments)
    app.before_request(end_expired_session)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


# --- Headers ----------------------------------------------------------------------------------

def csp_nonce() -> str:
    """This request's nonce for inline scripts (made on first use; kept on the request, since `g`
    may outlive one)."""
    return request.environ.setdefault("registry.csp_nonce", secrets.token_urlsafe(16))


def nonce_scripts(html: str) -> str:
    """Generated HTML (folium, Swagger UI) with this request's nonce on every <script> tag."""
    return SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', html)


def content_security_policy() -> str:
    tiles = TILE_HOSTS.get(current_app.config.get("MAP_TILES", "none"), "")
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self' 'unsafe-inline'",  # folium and Leaflet write style attributes
        f"img-src 'self' data: blob: {tiles}".rstrip(),
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ])


def security_headers(response):
    """CSP, framing, sniffing and referrer rules on every answer (pages, API, files)."""
    if (request.endpoint in GENERATED_PAGES and response.mimetype == "text/html"
            and not response.direct_passthrough):
        response.set_data(nonce_scripts(response.get_data(as_text=True)))
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Frame-Options"] = "SAMEORIGIN"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), payment=(), usb=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


# --- Input at the edge ------------------------------------------------------------------------

def _request_strings():
    """(name, text) of every value a view may read: query, form, JSON, the API key headers."""
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            yield name, name
            for value in values:
                yield name, value
    if request.is_json:
        yield from _json_strings("", request.get_json(silent=True))
    for header in ("X-API-Key", "Authorization"):
        if header in request.headers:
            yield header, request.headers[header]


def _json_strings(path: str, value):
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_strings(name, item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(path, item)


def refuse_control_characters():
    """NUL and other control characters are refused before any view (or database) sees them: in the
    path 404 (no id has one), in the API's input 422 naming the fields, in a page's query or form 400."""
    if any(isinstance(v, str) and CONTROL_CHARACTERS.search(v) for v in (request.view_args or {}).values()):
        raise NotFound()
    bad = sorted({name for name, text in _request_strings() if CONTROL_CHARACTERS.search(text)})
    if not bad:
        return None
    message = _("Control characters (such as NUL) are not allowed in: %(fields)s.", fields=", ".join(bad))
    if request.is_json or request.path.startswith("/api/"):
        error = UnprocessableEntity(message)
        error.data = {"messages": {"json" if request.is_json else "query": {name: [message] for name in bad}}}
        raise error
    raise BadRequest(message)


def requested_page() -> int:
    """The `page` of a paged list (1 when absent or not a number); 404 below 1 or beyond MAX_PAGE,
    before it becomes an OFFSET no database can take."""
    page = request.args.get("page", "").strip()
    if not PAGE_NUMBER.match(page):
        return 1
    if len(page.lstrip("+-")) > len(str(MAX_PAGE)) or not 1 <= int(page) <= MAX_PAGE:
        raise NotFound(_("There is no page %(page)s.", page=page[:20]))
    return int(page)


def refuse_out_of_range_arguments():
    """A date outside 1900–2199 is a 400 on every page of the site, before a view adds days to it
    (the API's arguments are checked by its schemas)."""
    if request.path.startswith("/api/"):
        return None
    for name in DAY_ARGS:
        text = request.args.get(name, "").strip()
        try:
            day = date.fromisoformat(text) if text else None
        except ValueError:
            continue  # not a date at all: the view says so in its own words
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise BadRequest(_("%(name)s: choose a date between %(first)s and %(last)s.", name=name,
                               first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()))
    return None


# --- Redirects and sessions -------------------------------------------------------------------

def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: the one check of every `next`.

    Refused: anything with a scheme or host, `//host`, backslashes, and whitespace or control
    characters (browsers drop a tab or newline, turning `/\t/evil.example` into `//evil.example`,
    and a newline in a Location header is a 500)."""
    if not target or not target.startswith("/") or UNSAFE_IN_REDIRECT.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def mail_url(endpoint: str, **values) -> str:
    """An address of this site for an e-mail: under PUBLIC_URL when set, so that a forged Host header
    cannot point a mailed sign-up or password link at another site; else the request's own host."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


def mark_signed_in() -> None:
    """Start the absolute lifetime of a fresh sign-in (see end_expired_session)."""
    session["signed_in_at"] = int(time.time())


def end_expired_session():
    """A sign-in lasts SESSION_ABSOLUTE_LIFETIME seconds however active it is (the idle limit is
    PERMANENT_SESSION_LIFETIME); a session without its start time is over too."""
    if "_user_id" not in session:
        return None
    started = session.get("signed_in_at")
    if not isinstance(started, int) or time.time() - started > current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        session.clear()
    return None
