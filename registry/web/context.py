"""What every view needs: the reader's language (today's date is registry/clock.py's)."""
from flask_babel import get_locale


def current_lang() -> str:
    """'zh' or 'en', as Flask-Babel chose it for this request."""
    return str(get_locale() or "zh")
