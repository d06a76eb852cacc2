"""The metrology discipline of measurement standards and calibration items read from published scopes
(registry/services/records/scope_disciplines.py): the layouts do not name it, the audit and search need it."""
import pytest
from sqlalchemy import select

from registry.models import Capability
from registry.services.records.scope_disciplines import discipline_of
from registry.services.records.scope_import import import_scope
from seeds.scope_vocabulary import INSTRUMENTS
from tests.factories import facility, run, write_dataset
from tests.services.test_scope_examples import path_of


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.name)
def test_every_instrument_of_the_realistic_vocabulary_gets_its_discipline(instrument):
    assert discipline_of(instrument.name, instrument.quantity, instrument.unit) == instrument.discipline


@pytest.mark.parametrize(("name", "unit", "expected"), [
    ("二等铂电阻温度计标准装置", "℃", "thermal"),  # 电阻 would say electrical: 铂电阻 comes first
    ("耐电压测试仪检定装置", "kV", "electromagnetism"),
    ("原子吸收分光光度计检定装置", "μg/mL", "physical_chemistry"),  # not optics
    ("一号标准装置", "mGy/h", "ionizing_radiation"),  # the name says nothing: the unit's dimension
    ("一号标准装置", "dB", "acoustics"),
    ("一号标准装置", "kPa", "mechanics"),
    ("一号标准装置", "m", "length"),
    ("一号标准装置", "", None),  # nothing to go by
    ("一号标准装置", "只", None),  # a unit pint does not know
])
def test_words_first_then_the_units_dimension(name, unit, expected):
    assert discipline_of(name, "", unit) == expected


def test_imported_standards_and_calibration_items_carry_their_discipline(session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1, kind="metrology")]))
    for layout in ("standards", "cnas-calibration", "cnas-testing"):
        assert import_scope(session, path_of(layout), "F0001", actor="test").outcome == "committed"
    rows = {(c.scope_layout, c.object): c.discipline for c in session.scalars(select(Capability))}
    assert rows[("standards", "二等铂电阻温度计标准装置（演示）")] == "thermal"
    assert rows[("standards", "0.05级活塞式压力计标准装置（演示）")] == "mechanics"
    assert rows[("standards", "数字多用表校准装置（演示）")] == "electromagnetism"
    assert rows[("standards", "卡尺检定装置（演示）")] == "length"
    assert rows[("cnas-calibration", "频谱分析仪（演示）")] == "radio"
    assert {d for (layout, _), d in rows.items() if layout == "cnas-testing"} == {None}  # testing has none
    assert None not in {d for (layout, _), d in rows.items() if layout != "cnas-testing"}
