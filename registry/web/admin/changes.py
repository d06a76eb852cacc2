"""Browse the change log, see a change's before and after, restore a facility to an earlier state."""
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.extensions import db
from registry.services.records import change_log as changelog
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp, locator, scope
from registry.web.security import requested_page


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@blp.get("/changes")
@roles_required(*KEEPERS)
def change_log():
    args = request.args
    filters = changelog.LogFilter(facility_id=args.get("facility_id", "").strip() or None,
                                  actor=args.get("actor", "").strip() or None, since=_day(args.get("since")),
                                  until=_day(args.get("until")), entity=args.get("entity") or None,
                                  action=args.get("action") or None)
    page = requested_page()
    rows, total = changelog.browse(db.session, filters, page, scope())
    pages = max(1, -(-total // changelog.PAGE_SIZE))
    return render_template("admin/changes.html", rows=rows, total=total, page=page, pages=pages, filters=filters,
                           entities=changelog.ENTITIES, actions=changelog.ACTIONS)


@blp.get("/changes/<int:change_id>")
@roles_required(*KEEPERS)
def change(change_id: int):
    entry, change_set = changelog.change_detail(db.session, change_id)
    allowed = scope()
    if allowed is not None and entry.facility_id not in allowed:
        return render_template("error.html", status=404, message=_("No such change.")), 404
    return render_template("admin/change.html", change=entry, change_set=change_set,
                           fields=changelog.field_rows(entry))


@blp.get("/changes/<int:change_id>/restore")
@roles_required("admin")
def restore_preview(change_id: int):
    """What a restore would change (a diff, and counts), with a form to confirm it."""
    entry, _change_set = changelog.change_detail(db.session, change_id)
    plan = changelog.plan_restore(db.session, entry.facility_id, change_id, user=current_user, locator=locator())
    return render_template("admin/change_restore.html", change=entry, plan=plan)


@blp.post("/changes/<int:change_id>/restore")
@roles_required("admin")
def restore(change_id: int):
    entry, _change_set = changelog.change_detail(db.session, change_id)
    if request.form.get("confirm") != "yes" or not request.form.get("plan"):
        plan = changelog.plan_restore(db.session, entry.facility_id, change_id, user=current_user,
                                      locator=locator())
        return render_template("admin/change_restore.html", change=entry, plan=plan,
                               refused=_("Tick the box to confirm the restore.")), 400
    plan = changelog.restore_facility(db.session, entry.facility_id, change_id, user=current_user,
                                      locator=locator(), confirmed_digest=request.form["plan"])
    flash(_("Facility %(id)s was restored to its state after change %(change)s.", id=entry.facility_id,
            change=change_id) if plan.applied else _("Nothing to restore: the facility is already in that state."))
    return redirect(url_for("admin.change_log", facility_id=entry.facility_id))


@blp.get("/actions")
@roles_required("admin")
def admin_actions():
    page = requested_page()
    rows, total = changelog.admin_actions(db.session, page)
    return render_template("admin/actions.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // changelog.PAGE_SIZE)))
