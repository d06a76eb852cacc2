"""Booking pages for every role: the enterprise's form and list, a booking with its timeline and
the actions the viewer may take, notifications, calendars.

Views translate HTTP to the booking service and back. Whose booking is whose is decided by
`get_booking` / `visible_bookings`: another organisation's booking id answers 404.
"""
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.clock import today
from registry.extensions import db
from registry.models import Facility
from registry.services.booking.availability import first_open_month, month_availability, month_of
from registry.services.booking.calendars import calendar_of, feed_bookings, feed_for, revoke_feed
from registry.services.booking.notifications import (
    STATE_LABELS,
    event_text,
    mark_all_read,
    notify_booking_event,
    recent_notifications,
    unread_count,
)
from registry.services.booking.samples import delivery_lines
from registry.services.booking.workflow import (
    ACTIONS,
    BookingError,
    BookingRequest,
    FullyBooked,
    allowed_actions,
    bookable_capabilities,
    booking_page,
    earliest_date,
    get_booking,
    live_facility,
    request_booking,
    transition,
)
from registry.web.access import roles_required
from registry.web.booking_forms import BookingForm, PlainForm, TransitionForm, service_groups
from registry.web.context import current_lang
from registry.web.security import mail_url, requested_page

blp = Blueprint("bookings", __name__)

PER_PAGE = 50


def booking_url(booking_id: int) -> str:
    return mail_url("bookings.detail", booking_id=booking_id)


notify = partial(notify_booking_event, url_for_booking=booking_url)


@blp.app_context_processor
def account_context() -> dict:
    """Unread notifications for the navigation bar, and the state labels for every page."""
    unread = unread_count(db.session, current_user) if current_user.is_authenticated else 0
    return {"unread_notifications": unread, "state_labels": STATE_LABELS}


def found_facility(facility_id: str) -> Facility:
    facility = live_facility(db.session, facility_id)
    if facility is None:
        abort(404)
    return facility


@blp.route("/facilities/<facility_id>/book", methods=["GET", "POST"])
@roles_required("enterprise")
def book(facility_id: str):
    facility = found_facility(facility_id)
    capabilities = bookable_capabilities(db.session, facility.facility_id, today())
    form = BookingForm()
    form.capability.choices = service_groups(capabilities, current_lang())
    if request.method == "GET":
        form.contact_name.data = form.contact_name.data or current_user.name
        form.contact_phone.data = form.contact_phone.data or current_user.phone
        form.contact_email.data = form.contact_email.data or current_user.email
        wanted = request.args.get("capability")  # the registry id (C0001), as the facility page links it
        form.capability.data = next((c.id for c in capabilities if c.capability_id == wanted), None)
    status = 200
    if form.validate_on_submit():
        if form.capability.data not in {c.id for c in capabilities}:
            form.capability.errors.append(_("Choose one of this facility's bookable services."))
            status = 400
        else:
            req = BookingRequest(
                capability_pk=form.capability.data, service_date=form.service_date.data,
                quantity=form.quantity.data, description=form.description.data,
                contact_name=form.contact_name.data, contact_phone=form.contact_phone.data,
                contact_email=form.contact_email.data, voucher_no=form.voucher_no.data)
            try:
                booking = request_booking(db.session, current_user, req, today=today(), notify=notify)
            except (BookingError, FullyBooked) as exc:
                db.session.rollback()
                field = getattr(form, getattr(exc, "field", None) or "service_date", form.service_date)
                field.errors.append(str(exc.message))
                status = 409 if isinstance(exc, FullyBooked) else 400
            else:
                flash(_("Your request was sent to the facility."), "info")
                return redirect(url_for("bookings.detail", booking_id=booking.id))
    elif form.is_submitted():
        status = 400
    on = today()
    offers = [{"id": c.id, "name": c.name, "price": c.price_cny, "lead": c.lead_time_days or 0,
               "standards": (c.standards or "").replace(";", " "),
               "earliest": earliest_date(c, on), "capacity": c.daily_capacity} for c in capabilities]
    return render_template("bookings/book.html", form=form, facility=facility, offers=offers,
                           delivery=delivery_lines(facility)), status


@blp.get("/facilities/<facility_id>/book/availability")
@roles_required("enterprise")
def availability(facility_id: str):
    """Free capacity per day of one month for one of the facility's bookable services (the page's calendar)."""
    facility = found_facility(facility_id)
    on = today()
    capabilities = bookable_capabilities(db.session, facility.facility_id, on)
    wanted = request.args.get("capability", type=int)
    capability = next((c for c in capabilities if c.id == wanted), None) if wanted is not None else (
        capabilities[0] if capabilities else None)
    if capability is None:
        abort(404, description=_("This facility has no such bookable service."))
    try:
        month = month_of(request.args.get("month"), on) if request.args.get("month") else first_open_month(
            db.session, capability, on)
    except ValueError:
        abort(400, description=_("Write the month as YYYY-MM."))
    days = month_availability(db.session, capability, month, on)
    return jsonify({"capability": capability.id, "month": f"{month:%Y-%m}",
                    "earliest": earliest_date(capability, on).isoformat(),
                    "days": [d.as_json() for d in days]})


@blp.get("/bookings")
@login_required
def index():
    state = request.args.get("state")
    page = requested_page()
    rows, total = booking_page(db.session, current_user, state=state if state in STATE_LABELS else None,
                               page=page, per_page=PER_PAGE)
    return render_template("bookings/index.html", bookings=rows, total=total, page=page, per_page=PER_PAGE,
                           state=state)


@blp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = get_booking(db.session, current_user, booking_id)
    actions = [ACTIONS[a] for a in allowed_actions(current_user, booking)]
    response = make_response(render_template("bookings/detail.html", booking=booking, actions=actions,
                                             delivery=delivery_lines(booking.facility, booking.id),
                                             form=TransitionForm(version=booking.version)))
    response.set_etag(f"booking-{booking.id}-v{booking.version}", weak=True)  # the version its forms carry
    return response


@blp.post("/bookings/<int:booking_id>/<action>")
@login_required
def act(booking_id: int, action: str):
    booking = get_booking(db.session, current_user, booking_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form was incomplete; reload the page and try again."))
    try:
        version = int(form.version.data)
    except ValueError:
        abort(400)
    try:
        transition(db.session, booking, current_user, action, reason=form.reason.data,
                   expected_version=version, notify=notify)
    except BookingError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("bookings.detail", booking_id=booking.id)), 303
    flash(_("Booking #%(id)d is now %(state)s.", id=booking.id, state=STATE_LABELS[booking.state]), "info")
    target = request.form.get("back")
    return redirect(target if target == url_for("workspace.index") else
                    url_for("bookings.detail", booking_id=booking.id)), 303


@blp.get("/bookings/<int:booking_id>.ics")
@login_required
def booking_ics(booking_id: int):
    booking = get_booking(db.session, current_user, booking_id)
    body = calendar_of([booking], f"#{booking.id}", booking_url)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'})


@blp.get("/notifications")
@login_required
def notifications():
    items = [{"text": event_text(n.booking, n.event), "at": n.event.at, "unread": n.read_at is None,
              "url": url_for("bookings.detail", booking_id=n.booking_id)}
             for n in recent_notifications(db.session, current_user)]
    return render_template("bookings/notifications.html", items=items, form=PlainForm())


@blp.post("/notifications/read")
@login_required
def notifications_read():
    if not PlainForm().validate_on_submit():
        abort(400)
    mark_all_read(db.session, current_user)
    return redirect(url_for("bookings.notifications")), 303


def operated_facility(facility_id: str) -> Facility:
    facility = found_facility(facility_id)
    if facility.id not in current_user.facility_pks:
        abort(404)
    return facility


@blp.get("/calendars")
@login_required
def calendars():
    def feed_url(feed):
        return url_for("bookings.feed", token=feed.token, _external=True)
    mine = feed_for(db.session, current_user)
    facilities = [{"facility": f, "url": feed_url(feed_for(db.session, current_user, facility=f))}
                  for f in current_user.facilities] if current_user.role == "operator" else []
    return render_template("bookings/calendars.html", mine=feed_url(mine), facilities=facilities, form=PlainForm())


@blp.post("/calendars/revoke")
@login_required
def calendars_revoke():
    if not PlainForm().validate_on_submit():
        abort(400)
    facility_id = request.form.get("facility")
    facility = operated_facility(facility_id) if facility_id else None
    if facility is not None and current_user.role != "operator":
        abort(404)
    revoke_feed(db.session, current_user, facility=facility)
    flash(_("The old calendar address no longer works; use the new one."), "info")
    return redirect(url_for("bookings.calendars")), 303


@blp.get("/calendar/<token>.ics")
def feed(token: str):
    """A private feed: the token is the key, so no sign-in (calendar apps cannot)."""
    found = feed_bookings(db.session, token[:100])
    if found is None:
        abort(404)
    name, bookings = found
    return Response(calendar_of(bookings, name, booking_url), mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})
