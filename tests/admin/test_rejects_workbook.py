"""The rejects workbook as people can fix it: the explanation first, next to the row's id; the bad cells
highlighted; numbers as numbers; the header frozen."""
import io

from openpyxl import load_workbook

from tests.admin.test_uploads import latest_job, upload
from tests.factories import capability, facility, write_dataset


def test_rejects_highlight_bad_cells_keep_numbers_and_freeze_the_header(admin_client, session, registry_with_two,
                                                                        tmp_path):
    paths = write_dataset(tmp_path / "up", [facility(3, kind="lab", lon="120.1", lat="30.2")],
                          [capability(3, 1, price_cny="about 300", lead_time_days="5")])
    upload(admin_client, paths)
    job = latest_job(session)
    workbook = load_workbook(io.BytesIO(admin_client.get(f"/admin/uploads/{job.id}/rejects.xlsx").data))
    facilities = workbook["facilities"]
    header = [c.value for c in facilities[1]]
    assert header[0] == "错误说明" and facilities.freeze_panes == "C2"
    row = {h: c for h, c in zip(header, facilities[2])}
    assert "kind" in row["错误说明"].value
    assert row["kind"].fill.fgColor.rgb.endswith("FFC7CE") and not row["name"].fill.fgColor.rgb.endswith("FFC7CE")
    assert isinstance(row["lon"].value, float) and row["lon"].value == 120.1
    capabilities = workbook["capabilities"]
    cap_header = [c.value for c in capabilities[1]]
    cap = {h: c for h, c in zip(cap_header, capabilities[2])}
    assert cap["price_cny"].value == "about 300" and cap["price_cny"].fill.fgColor.rgb.endswith("FFC7CE")
    assert cap["lead_time_days"].value == 5
