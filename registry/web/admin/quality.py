"""The data-quality page: likely duplicates, missing locations, incomplete capabilities, expired certificates,
one kind and one page at a time (a city's registry has thousands of findings; a phone shows 25)."""
from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from registry.clock import today
from registry.extensions import db
from registry.services.records.quality import KINDS, find_problems
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp, scope
from registry.web.security import requested_page


@blp.get("/quality")
@roles_required(*KEEPERS)
def quality():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise BadRequest(_("There is no kind of finding called %(kind)s.", kind=kind[:40]))
    findings = find_problems(db.session, today(), scope(), kind, requested_page())
    return render_template("admin/quality.html", findings=findings, kinds=KINDS)
