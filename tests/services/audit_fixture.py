"""A small registry in three districts for the audit tests, imported through the real import service.

Xihu (330106), Xiaoshan (330109) and Chun'an (330127); dates are relative to `today` so that the
expiry figures can be worked out by hand:

  F0001 Xihu     metrology      state   city      shared   CMA today+10, CNAS today-5
        C0001 measurement_standard mechanics  valid today+60, bookable (2/day)
        C0002 measurement_standard thermal    valid today-1
        C0003 test_item
  F0002 Xihu     testing        private (none)    not shared
        C0001 test_item, C0002 test_item
  F0003 Xiaoshan testing        state   district  not shared  CMA today+100
        C0001 measurement_standard mechanics  valid today+200
        C0002 test_item
  F0004 Xiaoshan certification  private national  shared (no bookable capability)
        C0001 certification_scope
  F0005 Chun'an  metrology      state   provincial shared  status suspended (never counted)
        C0001 measurement_standard length
  F0006 Chun'an  testing        state   district  shared
        C0001 measurement_standard length (量块, the only standard not named 压力…) bookable (5/day),
        C0002 test_item bookable (1/day)
"""
from datetime import date, timedelta

from tests.factories import capability, facility, point_in, run, write_dataset


def _at(code: str) -> dict:
    lon, lat = point_in(code)
    return {"district_code": code, "lon": str(lon), "lat": str(lat)}


def audit_rows(today: date) -> tuple[list[dict], list[dict]]:
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    facilities = [
        facility(1, kind="metrology", ownership="state", level="city", shared="yes",
                 cma_no="211112290728", cma_valid_until=day(10), cnas_no="CNAS L1234", cnas_valid_until=day(-5),
                 **_at("330106")),
        facility(2, kind="testing", ownership="private", shared="no", **_at("330106")),
        facility(3, kind="testing", ownership="state", level="district", shared="no",
                 cma_no="211112290729", cma_valid_until=day(100), **_at("330109")),
        facility(4, kind="certification", ownership="private", level="national", shared="yes", **_at("330109")),
        facility(5, kind="metrology", ownership="state", level="provincial", shared="yes", status="suspended",
                 **_at("330127")),
        facility(6, kind="testing", ownership="state", level="district", shared="yes", **_at("330127")),
    ]
    standard = {"kind": "measurement_standard", "name": "活塞式压力计标准装置", "standards": None}
    capabilities = [
        capability(1, 1, **standard, discipline="mechanics", certificate_no="[2020]浙量标杭证字第001号",
                   valid_until=day(60), bookable="yes", daily_capacity="2"),
        capability(1, 2, **standard, discipline="thermal", certificate_no="[2019]浙量标杭证字第002号",
                   valid_until=day(-1)),
        capability(1, 3),
        capability(2, 1), capability(2, 2),
        capability(3, 1, **standard, discipline="mechanics", certificate_no="[2021]浙量标杭证字第003号",
                   valid_until=day(200)),
        capability(3, 2),
        capability(4, 1, kind="certification_scope", name="质量管理体系认证 ISO 9001", standards=None),
        capability(5, 1, **standard, discipline="length"),
        capability(6, 1, **{**standard, "name": "量块标准装置"}, discipline="length", bookable="yes",
                   daily_capacity="5"),
        capability(6, 2, bookable="yes", daily_capacity="1"),
    ]
    return facilities, capabilities


def load_audit_fixture(session, folder, today: date):
    facilities, capabilities = audit_rows(today)
    report = run(session, write_dataset(folder, facilities, capabilities))
    assert not report.errors, report.errors
    return report
