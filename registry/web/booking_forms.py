"""The forms of the booking pages (Flask-WTF: each carries its CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class BookingForm(FlaskForm):
    capability = SelectField(_l("Service"), coerce=int, validate_choice=False)
    service_date = DateField(_l("Date"), validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity (samples or instruments)"), default=1,
                            validators=[DataRequired(), NumberRange(min=1, max=10_000)])
    description = TextAreaField(_l("What is to be tested, calibrated or certified"),
                                validators=[DataRequired(), Length(max=2000)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[DataRequired(), Length(max=50)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    voucher_no = StringField(_l("Innovation voucher (创新券) number, if one is to be redeemed"),
                             validators=[Optional(), Length(max=40)])


class TransitionForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class PlainForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
