"""Reading a test plan: pasted lines, CSV and XLSX columns, and the schema's bounds."""
import io
import zipfile

import pytest
from marshmallow import ValidationError

from registry.schemas import rules
from registry.services.search.plan_input import (
    PlanProblem,
    PlanSchema,
    item_text,
    items_from_file,
    items_from_text,
)
from tests.factories import xlsx_bytes


@pytest.mark.parametrize("raw, item", [
    ("1. 外观", "外观"), ("(2) 绝缘电阻", "绝缘电阻"), ("（3）耐电压", "耐电压"), ("5.3 绝缘电阻", "绝缘电阻"),
    ("7.2.1 导体直流电阻", "导体直流电阻"), ("一、标志", "标志"), ("- GB/T 3048.4", "GB/T 3048.4"),
    ("GB/T 3048.4", "GB/T 3048.4"), ("ＧＢ　4706.1", "GB 4706.1"), ("3048", "3048"), ("1、外观", "外观"),
])
def test_list_and_clause_numbers_are_not_part_of_an_item(raw, item):
    assert item_text(raw) == item


def test_pasted_lines_blank_and_repeated_ones_left_out():
    assert items_from_text("外观\r\n\n  绝缘电阻 \n外观\n1. 外观\n") == ["外观", "绝缘电阻"]


def test_csv_column_by_header_gb18030():
    data = "序号,检验项目,检验依据\n1,外观,GB 4706.1\n2,绝缘电阻,GB 4706.1\n".encode("gb18030")
    assert items_from_file("plan.csv", data) == ["外观", "绝缘电阻"]


def test_csv_without_a_known_header_takes_the_first_column_of_text():
    data = "1,导体直流电阻\n2,绝缘电阻\n".encode()
    assert items_from_file("plan.csv", data) == ["导体直流电阻", "绝缘电阻"]


def test_xlsx_column_by_header():
    data = xlsx_bytes([["序号", "标准号"], [1, "GB/T 3048.4"], [2, "GB/T 3048.5"], [None, None]])
    assert items_from_file("计划.xlsx", data) == ["GB/T 3048.4", "GB/T 3048.5"]


def test_text_file_one_item_a_line():
    assert items_from_file("plan.txt", "外观\n绝缘电阻\n".encode("utf-8-sig")) == ["外观", "绝缘电阻"]


@pytest.mark.parametrize("name, data", [
    ("plan.xlsx", b"this is not a workbook"),
    ("plan.xlsx", b"PK\x03\x04garbage"),
    ("plan.xlsx", b""),
    ("plan.csv", b"\x00\x01\x02binary"),
    ("plan.txt", "外观".encode("utf-16")),
    ("plan.csv", b"x" * (rules.PLAN_FILE_MAX_BYTES + 1)),
])
def test_unreadable_files_are_a_plan_problem(name, data):
    with pytest.raises(PlanProblem) as caught:
        items_from_file(name, data)
    assert caught.value.status == 422 and caught.value.details["field"] == "file"


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(PlanProblem):
        items_from_file("plan.xlsx", out.getvalue())


def test_a_workbook_unpacking_to_too_much_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    with pytest.raises(PlanProblem):
        items_from_file("plan.xlsx", out.getvalue())


def test_pasted_nul_is_refused():
    with pytest.raises(PlanProblem):
        items_from_text("外观\x00")


def fields_refused(data) -> dict:
    with pytest.raises(ValidationError) as caught:
        PlanSchema().load(data)
    return caught.value.normalized_messages()


def test_schema_bounds_name_the_field():
    assert "items" in fields_refused({"items": []})
    assert "items" in fields_refused({})
    assert fields_refused({"items": ["外观"] * 1000}) == {"items": [f"At most {rules.PLAN_ITEMS_MAX} items."]}
    assert set(fields_refused({"items": ["外观", "x" * (rules.PLAN_ITEM_MAX + 1)]})["items"]) == {1}
    assert set(fields_refused({"items": ["外观", "绝缘\x00电阻"]})["items"]) == {1}
    assert set(fields_refused({"items": ["外观", "   ", "---"]})["items"]) == {1, 2}
    assert set(fields_refused({"items": ["外观", 3]})["items"]) == {1}
    assert "items" in fields_refused({"items": "外观"})
    assert "near" in fields_refused({"items": ["外观"], "near": "500,30"})
    assert "district" in fields_refused({"items": ["外观"], "district": "nowhere"})
    assert "district" in fields_refused({"items": ["外观"], "district": "330109", "near": "120.2,30.2"})


def test_schema_loads_items_cleaned_and_districts_by_name():
    plan = PlanSchema().load({"items": ["1. ＧＢ／Ｔ 3048.4", "绝缘电阻"], "district": "萧山区"})
    assert plan == {"items": ["GB/T 3048.4", "绝缘电阻"], "district": "330109", "limit": 20}
