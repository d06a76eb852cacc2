"""The forms of the booking pages (Flask-WTF: each carries its CSRF token); bounds from registry.schemas.rules."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from registry.money import fee_text
from registry.schemas import rules
from registry.web.labels import discipline_name


class BookingForm(FlaskForm):
    capability = SelectField(_l("Service"), coerce=int, validate_choice=False)
    service_date = DateField(_l("Date"), validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity (samples or instruments)"), default=1,
                            validators=[DataRequired(), NumberRange(*rules.BOOKING_QUANTITY)])
    description = TextAreaField(_l("What is to be tested, calibrated or certified"),
                                validators=[DataRequired(), Length(max=rules.DESCRIPTION_MAX)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=rules.CONTACT_NAME_MAX)])
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(), Length(max=rules.PHONE_MAX)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[
        Optional(), Length(max=rules.EMAIL_MAX),
        Regexp(rules.EMAIL_PATTERN.pattern + "$", message=_l("Enter a valid e-mail address."))])
    voucher_no = StringField(_l("Innovation voucher (创新券) number, if one is to be redeemed"),
                             validators=[Optional(), Length(max=rules.VOUCHER_MAX)])


class TransitionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=rules.REASON_MAX)])


class PlainForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def service_label(capability) -> str:
    """How a service reads in the chooser: its name, its standard numbers and its unit fee."""
    parts = [capability.name]
    if capability.standards:
        parts.append(" ".join(s.strip() for s in capability.standards.split(";") if s.strip()))
    if capability.price_cny is not None or capability.price_on_request:
        parts.append(fee_text(capability.price_cny, on_request=capability.price_on_request))
    return " · ".join(parts)


def service_groups(capabilities, lang: str) -> dict[str, list[tuple[int, str]]]:
    """The services grouped by what they test (category, else discipline), groups and services sorted by
    name, so that 26 services read as a few short lists (WTForms renders a dict as <optgroup>s)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in capabilities:
        group = (c.category or "").strip() or (discipline_name(c.discipline, lang) if c.discipline else "") \
            or _("Other services")
        groups.setdefault(group, []).append((c.id, service_label(c)))
    return {g: sorted(groups[g], key=lambda choice: choice[1]) for g in sorted(groups)}
