"""A small registry for the test plan tests, imported through the real import service.

Items (A-D) and who has them (dates relative to TODAY, 2026-11-25):

  A 导体直流电阻 (keyword)     F0001, F0002, F0006 (expired only), F0004 (suspended)
  B GB/T 3048.5 (standard)     F0001, F0002, F0004
  C 铅含量 (keyword)           F0001, F0003, F0004
  D GB 4706.1 (standard)       F0005, F0003 (expired), F0004

  F0001 Xiaoshan (330109)  CMA valid
  F0002 Binjiang (330108)  CMA valid
  F0003 Xihu (330106)      no accreditation
  F0004 Xihu               suspended: never counted
  F0005 Chun'an (330127)   CMA expired
  F0006 Xihu               no accreditation
"""
from datetime import date

from tests.factories import capability, facility, point_in, run, write_dataset

TODAY = date(2026, 11, 25)
A, B, C, D = "导体直流电阻", "GB/T 3048.5", "铅含量", "GB 4706.1"
UNKNOWN = "不存在的检验项目"


def at(code: str) -> dict:
    lon, lat = point_in(code)
    return {"district_code": code, "lon": str(lon), "lat": str(lat)}


def _a(f, n, **kw):
    return capability(f, n, name="电线电缆 导体直流电阻", standards="GB/T 3048.4-2007", **kw)


def _b(f, n, **kw):
    return capability(f, n, name="电线电缆 绝缘电阻", standards="GB/T 3048.5-2007", **kw)


def _c(f, n, **kw):
    return capability(f, n, name="食品 铅含量", standards="GB 5009.12-2017", **kw)


def _d(f, n, **kw):
    return capability(f, n, name="家用电器 安全 通用要求", standards="GB 4706.1-2005", **kw)


def load_plan_registry(session, folder):
    facilities = [
        facility(1, name="萧山综合检测中心", cma_no="211112290728", cma_valid_until="2030-01-01", **at("330109")),
        facility(2, name="滨江电缆检测所", cma_no="211112290729", cma_valid_until="2030-01-01", **at("330108")),
        facility(3, name="西湖食品检验站", **at("330106")),
        facility(4, name="暂停的全能站", status="suspended", **at("330106")),
        facility(5, name="淳安家电检测站", cma_no="211112290730", cma_valid_until="2020-01-01", **at("330127")),
        facility(6, name="西湖过期电缆站", **at("330106")),
    ]
    capabilities = [
        _a(1, 1), _b(1, 2), _c(1, 3),
        _a(2, 1), _b(2, 2),
        _c(3, 1), _d(3, 2, valid_until="2020-01-01"),
        _a(4, 1), _b(4, 2), _c(4, 3), _d(4, 4),
        _d(5, 1, valid_until="2030-01-01"),
        _a(6, 1, valid_until="2020-01-01"),
    ]
    report = run(session, write_dataset(folder, facilities, capabilities))
    assert report.committed, report.issues
    return session
