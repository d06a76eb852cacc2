"""API fixtures: a small registry, fresh rate-limit counters per test, keys made through the service."""
import pytest

from registry.extensions import limiter
from registry.services.api_keys import create_key
from tests.factories import capability, facility, point_in, run, write_dataset


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()
    yield


@pytest.fixture
def registry(session, tmp_path):
    lon, lat = point_in("330109")
    facilities = [
        facility(1, name="杭州电缆检测中心", district_code="330109", lon=str(lon), lat=str(lat),
                 cma_no="211112290728", cma_valid_until="2030-01-01"),
        facility(2, name="西湖计量所", kind="metrology", ownership="private", shared="no"),
        facility(3, name="滨江食品检验站", district_code="330108", lon=None, lat=None),
        facility(4, name="暂停的检测站", status="suspended"),
    ]
    capabilities = [
        capability(1, 1),  # 电线电缆 导体直流电阻, GB/T 3048.4-2007
        capability(1, 2, name="电线电缆 绝缘电阻", standards="GB/T 3048.5-2007", valid_until="2020-01-01"),
        capability(2, 1, kind="measurement_standard", name="活塞式压力计标准装置", discipline="mechanics",
                   standards="JJG 59-2007", quantity="压力", range_min="100", range_max="60000", unit="kPa",
                   price_cny="300", lead_time_days="3", bookable="yes", daily_capacity="5"),
        capability(2, 2, kind="measurement_standard", name="铂电阻温度计标准装置", discipline="thermal",
                   standards="JJG 160-2007", quantity="温度", range_min="-40", range_max="300", unit="℃"),
        capability(3, 1, name="食品 铅含量", standards="GB 5009.12-2017"),
        capability(4, 1, name="电线电缆 导体直流电阻"),
    ]
    report = run(session, write_dataset(tmp_path, facilities, capabilities))
    assert report.committed, report.issues
    return session


@pytest.fixture
def make_key(session):
    def make(scopes="read", partner="测试伙伴"):
        _row, key = create_key(session, partner, scopes)
        return key
    return make
