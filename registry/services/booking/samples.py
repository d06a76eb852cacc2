"""Where and how samples reach the facility: its address, its phone and what to do with the samples.

Said in the same words on the booking page, the booking's page, its e-mails and its calendar entry,
so that the person who packs the samples finds the address wherever they look.
"""
from flask_babel import lazy_gettext as _l

from registry.models import Facility

INSTRUCTIONS = _l("Label each sample with the booking number, pack it so that it arrives undamaged, "
                  "and bring or send it on the booked day; call the facility first if the samples are large, "
                  "hazardous or need cooling.")


def delivery_lines(facility: Facility, booking_id: int | None = None) -> list[tuple[str, str]]:
    """(label, text) pairs in the current locale: address, phone, and the sample instructions."""
    lines = []
    if facility.address:
        lines.append((str(_l("Address for samples")), facility.address))
    if facility.phone:
        lines.append((str(_l("Facility phone")), facility.phone))
    instructions = str(INSTRUCTIONS)
    if booking_id is not None:
        instructions = str(_l("Booking number: #%(id)d.", id=booking_id)) + " " + instructions
    lines.append((str(_l("Sample instructions")), instructions))
    return lines
