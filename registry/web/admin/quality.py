"""The data-quality page: likely duplicates, missing locations, incomplete capabilities, expired certificates."""
from flask import render_template

from registry.clock import today
from registry.extensions import db
from registry.services.records.quality import find_problems
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp, scope


@blp.get("/quality")
@roles_required(*KEEPERS)
def quality():
    return render_template("admin/quality.html", findings=find_problems(db.session, today(), scope()))
