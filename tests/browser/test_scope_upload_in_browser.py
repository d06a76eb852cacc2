"""A facility's published scope uploaded in Chromium (issue 12 item 2), on a laptop (1366) and a phone (390):
an admin follows the facility page's link, uploads seeds/examples/cnas_testing.xlsx, sees every item in the
preview, applies it and finds the items on the facility page; an operator uploads their own facility's CNAS
calibration scope with the layout chosen. No page is wider than the screen; screenshots are kept.

This module serves its own copy of the app (demo data, an admin, an operator) so that the other browser
tests' database stays as they expect it.
"""
import pytest
from playwright.sync_api import expect

from seeds.examples.build_examples import EXAMPLES, HERE
from tests.browser.conftest import PASSWORD, _flask, module_env, serve, shoot, sign_in
from tests.browser.test_layout_in_browser import OVERFLOW, SIZES

ADMIN, OPERATOR = "scope-admin@example.cn", "scope-operator@example.cn"
# each size uploads into facilities of its own, so that both see items added (not unchanged)
ADMIN_FACILITY = {"desktop": "DEMO-F0001", "phone": "DEMO-F0003"}
# Facilities `flask seed` loads no example scope into (seeds/examples/demo_facilities.csv): every item is new
OPERATOR_FACILITY = {"desktop": "DEMO-F0005", "phone": "DEMO-F0008"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    env = module_env(tmp_path_factory.mktemp("scope-browser"))
    _flask(env, "user", "create", "--email", ADMIN, "--password", PASSWORD, "--role", "admin", "--name", "管理员")
    _flask(env, "user", "create", "--email", OPERATOR, "--password", PASSWORD, "--role", "operator",
           "--name", "操作员", *[arg for f in OPERATOR_FACILITY.values() for arg in ("--facility", f)])
    with serve(env) as base:
        yield base


def fits(page, size: str, name: str) -> None:
    page.wait_for_load_state("load")
    shoot(page, f"scope-upload-{name}-{size}")
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{name} at {size}: {overflow} px wider than the screen"


@pytest.mark.parametrize("size", list(SIZES))
def test_admin_uploads_a_cnas_testing_scope_from_the_facility_page(page, size):
    facility = ADMIN_FACILITY[size]
    sign_in(page, ADMIN)
    page.set_viewport_size(SIZES[size])
    page.goto(f"/facilities/{facility}")
    page.locator("#scope-upload-link").click()
    expect(page.locator("#facility_id")).to_have_value(facility)
    fits(page, size, "form")
    page.set_input_files("#scope-file", str(HERE / EXAMPLES["cnas-testing"][0]))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "previewed")
    expect(page.locator('[data-count="items-created"]')).to_have_text("8")
    expect(page.locator('[data-count="items-updated"]')).to_have_text("0")
    created = page.locator('table[data-action="created"] tbody tr')
    expect(created).to_have_count(8)
    expect(created.first).to_contain_text("导体直流电阻")
    expect(created.first).to_contain_text("GB/T 3048.4-2007")
    expect(page.locator('table[data-action="created"]')).to_contain_text("暂停")  # the suspended item, marked
    expect(page.locator("#issues")).to_contain_text("封面")  # the cover sheet, passed over with a warning
    fits(page, size, "preview")
    page.locator("#confirm").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "applied")
    fits(page, size, "applied")
    page.locator("#facility-link").click()
    expect(page).to_have_url(f"{page.url.split('/facilities')[0]}/facilities/{facility}")
    page.locator(".cap-search input[name=q]").fill("导体直流电阻")
    page.locator(".cap-search button").click()
    table = page.locator("#capability-table")
    expect(table).to_contain_text("导体直流电阻")
    expect(table).to_contain_text("只测：≤35 kV")
    fits(page, size, "facility")


@pytest.mark.parametrize("size", list(SIZES))
def test_operator_uploads_their_own_calibration_scope_with_the_layout_chosen(page, size):
    facility = OPERATOR_FACILITY[size]
    sign_in(page, OPERATOR)
    page.set_viewport_size(SIZES[size])
    page.goto("/workspace/")
    page.locator(f'a.scope-upload-link[href$="facility={facility}"]').click()
    options = page.locator("#facility_id option")
    expect(options).to_have_count(len(OPERATOR_FACILITY))  # their own facilities only
    expect(page.locator("#facility_id")).to_have_value(facility)
    page.set_input_files("#scope-file", str(HERE / EXAMPLES["cnas-calibration"][0]))
    page.select_option("#layout", "cnas-calibration")
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "previewed")
    expect(page.locator("#scope-of")).to_contain_text("CNAS 校准能力范围")
    items = page.locator('table[data-action="created"] tbody tr')
    expect(items.first).to_be_visible()
    added = int(page.locator('[data-count="items-created"]').inner_text())
    assert added == items.count() and added > 0
    fits(page, size, "operator-preview")
    page.locator("#confirm").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "applied")
    page.locator("#facility-link").click()
    expect(page.locator("#capability-table")).to_be_visible()
    fits(page, size, "operator-facility")
