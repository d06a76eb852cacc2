"""Dates are the registry's calendar (its configured time zone), not the server's."""
from datetime import datetime
from zoneinfo import ZoneInfo

from registry.clock import today


def test_today_follows_the_configured_time_zone(app, monkeypatch):
    # UTC+14 and UTC-11 are never on the same date, whatever the server's clock says.
    with app.app_context():
        dates = {}
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", zone)
            dates[zone] = today()
            assert dates[zone] == datetime.now(ZoneInfo(zone)).date()
    assert dates["Pacific/Kiritimati"] != dates["Pacific/Pago_Pago"]
