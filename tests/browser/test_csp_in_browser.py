"""Row 3 of issue 13 in Chromium: under the CSP the Swagger UI draws the API, the report's print button
(a nonce'd listener, no inline handler) works, and the browser reports no violation (the browser
fixtures fail on any). The other pages and maps are driven under the same CSP by the other browser tests.
Part of the attack suite (tests/security/); here because the browser fixtures are tests/browser's."""
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, run_flask, sign_in


def test_row03_swagger_ui_draws_the_api_under_the_csp(page):
    response = page.goto("/api/v1/docs")
    assert "'nonce-" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/facilities").first).to_be_visible()


def test_row03_report_print_button_works_without_an_inline_handler(page, live_env):
    run_flask(live_env, "user", "create", "--email", "csp-auditor@browser.cn", "--password", PASSWORD, "--role",
              "auditor", "--name", "审计员")
    page.add_init_script("window.print = () => { window.printed = true; };")
    sign_in(page, "csp-auditor@browser.cn")
    page.goto("/audit/report")
    page.locator("button[data-print]").click()
    assert page.evaluate("window.printed === true")
