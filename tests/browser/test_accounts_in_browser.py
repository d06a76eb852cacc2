"""Sign-up and a forgotten password as a person goes through them: the form, the "check your e-mail" page,
the link read from the registry's outbox (its database, as `send-mail` would read it), the page it opens."""
import re
import sqlite3

from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, run_flask, sign_in

LINK = re.compile(r"https?://[^/\s]+(/\S+)")


def mailed_path(live_env, address: str, prefix: str) -> str:
    database = live_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        body = connection.execute("SELECT body FROM outbox WHERE to_address = ? ORDER BY id DESC LIMIT 1",
                                  (address,)).fetchone()[0]
    return next(path for path in LINK.findall(body) if path.startswith(prefix))


def fits_a_phone(page) -> None:
    """The page a mailed link opens reads on a 390 px screen (the layout test's journeys cannot reach it:
    it needs the link's token)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(size)


def test_an_enterprise_signs_up_and_its_account_works_once_the_mailed_link_is_opened(page, live_env):
    page.goto("/register")
    page.fill("#org_name", "杭州浏览器注册测试有限公司")
    page.fill("#uscc", make_uscc("91330109", "R0000001"))
    page.fill("#name", "吴工")
    page.fill("#email", "signup@browser.cn")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("input[name=consent]")
    page.get_by_role("button", name="注册").click()
    expect(page.locator("#check-mail")).to_contain_text("48 小时")
    expect(page.locator("#signed-in")).to_have_count(0)
    page.goto(mailed_path(live_env, "signup@browser.cn", "/register/confirm/"))
    expect(page.locator("dd", has_text="杭州浏览器注册测试有限公司")).to_be_visible()
    fits_a_phone(page)
    page.get_by_role("button", name="确认并登录").click()
    expect(page.locator("#signed-in")).to_contain_text("吴工")


def test_a_forgotten_password_is_set_anew_from_the_sign_in_page(page, live_env):
    run_flask(live_env, "user", "create", "--email", "forgot@browser.cn", "--password", PASSWORD,
              "--role", "enterprise", "--name", "郑工", "--org-name", "杭州忘记密码测试有限公司",
              "--uscc", make_uscc("91330109", "R0000002"))
    page.goto("/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.fill("#email", "forgot@browser.cn")
    page.get_by_role("button", name="发送链接").click()
    expect(page.locator("#check-mail")).to_be_visible()
    page.goto(mailed_path(live_env, "forgot@browser.cn", "/password/reset/"))
    fits_a_phone(page)
    new = "西湖边上的新密码 2026"
    page.fill("#password", new)
    page.fill("#confirm", new)
    page.get_by_role("button", name="设置密码").click()
    expect(page.locator("#signed-in")).to_contain_text("郑工")
    page.context.clear_cookies()
    sign_in(page, "forgot@browser.cn", new)
