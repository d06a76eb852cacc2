"""Public measurement standards for the Art. 7 tests, imported as published (a measurement-standards list per
facility, through import-scope). Dates are relative to `today`, so that every figure can be worked out by hand:

  F0001 Xihu (330106)      metrology, active
        温度   thermal            today+200   valid
        压力   mechanics          today+90    expiring (the 90th day still is)
        砝码   mechanics          today+91    valid
        量块   length             today-1     expired
        多用表 electromagnetism   today+30    expiring, but suspended (暂停): not in force
        (压力表 mechanics, today+300, not a public standard: never counted)
  F0002 Xiaoshan (330109)  metrology, active
        热电偶 thermal            today       expiring (0 days left)
        一号   (no discipline)    undated     undated
        (卡尺 length, today+100: removed by a newer list with --prune: never counted)
  F0003 Chun'an (330127)   metrology, suspended facility
        照度计 optics             today+100   (the facility is suspended: never counted)
"""
from datetime import date, timedelta
from decimal import Decimal

from registry.services.records.scope_import import import_scope
from registry.services.records.scopes import RangeSegment, ScopeItem, write_scope
from tests.factories import facility, point_in, run, write_dataset

CODES = ["330106", "330109", "330127"]


def standard(name: str, unit: str, until: date | None, public: bool = True, suspended: bool = False,
             number: int = 1) -> ScopeItem:
    return ScopeItem(layout="standards", object=name, seq=str(number),
                     ranges=(RangeSegment(Decimal(0), Decimal(100), unit, text=f"(0～100) {unit}"),),
                     certificate_no=f"[2024]浙量标杭证字第{number:03d}号", valid_until=until, public_standard=public,
                     status="suspended" if suspended else "active", remarks="暂停" if suspended else "")


def _at(code: str) -> dict:
    lon, lat = point_in(code)
    return {"district_code": code, "lon": str(lon), "lat": str(lat)}


def load_art7_fixture(session, folder, today: date) -> None:
    day = lambda n: today + timedelta(days=n)  # noqa: E731
    report = run(session, write_dataset(folder / "base", [
        facility(1, kind="metrology", **_at("330106")),
        facility(2, kind="metrology", **_at("330109")),
        facility(3, kind="metrology", status="suspended", **_at("330127"))]))
    assert not report.errors, report.errors
    lists = {
        "F0001": [standard("二等铂电阻温度计标准装置", "℃", day(200), number=1),
                  standard("活塞式压力计标准装置", "MPa", day(90), number=2),
                  standard("E2等级砝码标准装置", "g", day(91), number=3),
                  standard("量块标准装置", "mm", day(-1), number=4),
                  standard("数字多用表校准装置", "V", day(30), suspended=True, number=5),
                  standard("一般压力表检定装置", "MPa", day(300), public=False, number=6)],
        "F0002": [standard("工作用热电偶标准装置", "℃", day(0), number=7),
                  standard("一号标准装置", "只", None, number=8),
                  standard("卡尺检定装置", "mm", day(100), number=9)],
        "F0003": [standard("照度计检定装置", "lx", day(100), number=10)],
    }
    for facility_id, items in lists.items():
        path = write_scope(folder / f"{facility_id}.xlsx", items)
        report = import_scope(session, path, facility_id, actor="test")
        assert report.outcome == "committed", [p.message("en") for p in report.problems]
    newer = write_scope(folder / "F0002-newer.xlsx", lists["F0002"][:2])
    assert import_scope(session, newer, "F0002", actor="test", prune=True).counts["deleted"] == 1
