"""Who may open a page: Flask-Login's session user, and `roles_required` for views.

Anonymous visitors of a protected page are sent to the sign-in page (and back after);
a signed-in user with another role gets 403. Which *records* a user may see is a
question for the services (bookings, facilities), which answer 404 for others' ids.
"""
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.extensions import db, login_manager
from registry.services.accounts.users import user_for_session

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(token: str):
    return user_for_session(db.session, token)


def roles_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def home_endpoint(user) -> str:
    """Where a user lands after signing in: operators at their workspace, auditors at the audit
    dashboard, admins at the accounts."""
    landing = {"operator": "workspace.index", "auditor": "audit.dashboard", "admin": "admin.users"}
    return landing.get(user.role, "pages.home")
