"""What every view needs: the reader's language (today's date is registry/clock.py's)."""
from flask import request
from flask_babel import get_locale


def current_lang() -> str:
    """'zh' or 'en', as Flask-Babel chose it for this request."""
    return str(get_locale() or "zh")


def export_lang() -> str:
    """The language of a file a person downloads (its headers and values): `?headers=zh|en` when asked,
    else the page's (Chinese by default)."""
    asked = request.args.get("headers")
    return asked if asked in ("zh", "en") else current_lang()
