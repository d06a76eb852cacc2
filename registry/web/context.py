"""What every view needs: the reader's language, and today's date where the registry is.

Certificates expire by the calendar of Hangzhou, not of the server: a server in UTC
would otherwise call a certificate valid until 08:00 on the day after it lapsed, and
the map and the list could disagree between midnight and eight.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale


def current_lang() -> str:
    """'zh' or 'en', as Flask-Babel chose it for this request."""
    return str(get_locale() or "zh")


def today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
