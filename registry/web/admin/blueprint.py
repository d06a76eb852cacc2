"""The admin blueprint and what its views share."""
from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from registry.services.districts import district_locator

blp = Blueprint("admin", __name__, url_prefix="/admin")

KEEPERS = ("admin", "operator")  # who keeps the registry's data


def locator():
    return district_locator(current_app.config["DISTRICTS_GEOJSON"])


def scope() -> set[str] | None:
    """The facility ids the signed-in user keeps; None for admins (all)."""
    if current_user.role == "admin":
        return None
    return {f.facility_id for f in current_user.facilities}


@blp.errorhandler(413)
def too_large(error):
    limit = current_app.config["UPLOAD_MAX_MB"]
    message = _("The file is larger than %(mb)s MB, the most an upload may be. Split it, or import it "
                "with the command line (flask import).", mb=limit)
    return render_template("error.html", status=413, message=message), 413
