"""The committed spec is the contract: it must be what the code generates, and the docs page must work offline."""
import json
import re

from registry.config import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "docs" / "openapi.json"


def test_committed_spec_matches_the_code(client):
    served = client.get("/api/v1/openapi.json").get_json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "the API changed: run `make openapi` and commit docs/openapi.json"


def test_spec_documents_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    routes = {re.sub(r"<\w+:", "<", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api_")}
    assert routes == documented


def test_spec_describes_the_error_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    assert set(spec["components"]["schemas"]["ErrorDetail"]["properties"]) == {
        "code", "message", "fields", "request_id"}


def test_docs_page_loads_its_assets_from_the_app(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "LICENSE"):
        assert client.get(f"/static/vendor/swagger-ui-dist/{asset}").status_code == 200, asset
