"""The change feed that partners follow to keep an exact mirror."""
from flask_smorest import Blueprint

from registry.api import arguments, schemas
from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response, make_cursor, read_cursor
from registry.extensions import db
from registry.services.records.mirror_feed import changes_since

blp = Blueprint("api_changes", __name__, url_prefix="/api/v1", description=(
    "Every create, update and delete of a facility or capability, oldest first. To mirror the "
    "registry: start with `since=0`, apply each entry in order -- upsert its `facility` or "
    "`capability` when present, remove the record when it is null -- and keep `last_id`; later, "
    "ask for `since=<last_id>`. Ids only grow. Deleted records are reported as `delete` entries "
    "(tombstones), never silently dropped."))


@blp.route("/changes")
@error_responses(blp, paged=True)
@blp.arguments(arguments.ChangeArgs(), location="query")
@blp.response(200, schemas.ChangePage)
def list_changes(args):
    """Changes since a point

    Entries carry the record as it is now, so applying them in order always converges on the
    registry's current state, however far behind the mirror was."""
    require_scope("read")
    since = args["since"]
    cursor = read_cursor("changes", args.get("cursor"), check=lambda p: isinstance(p, int) and p >= since)
    after = cursor if cursor is not None else since
    entries, total, more = changes_since(db.session, after, args["limit"])
    items = [{"id": e.id, "at": e.at, "change_set_id": e.change_set_id, "entity": e.entity,
              "action": e.action, "facility_id": e.facility_id, "capability_id": e.capability_id,
              "facility": e.record if e.entity == "facility" else None,
              "capability": e.record if e.entity == "capability" else None} for e in entries]
    last_id = entries[-1].id if entries else after
    next_cursor = make_cursor("changes", last_id) if more else None
    return json_response(schemas.ChangePage, {
        "items": items, "next_cursor": next_cursor, "total": total, "last_id": last_id}, next_cursor=next_cursor)
