"""The audit's rendered maps shared by the workers through the real Redis (CACHE_REDIS_URL): a map drawn by one
worker is served by another without drawing it again. Two apps stand for two workers; a worker is a process of
its own, so each turn begins with the process's own tier empty (the apps of one test process share it)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from registry.services.audit.cache import cache
from tests.factories import login, user
from tests.services.audit_fixture import load_audit_fixture


def test_second_worker_serves_the_audit_map_the_first_drew(session, tmp_path, own_app, shared_redis, monkeypatch):
    from registry.web import audit

    load_audit_fixture(session, tmp_path / "data", datetime.now(ZoneInfo("Asia/Shanghai")).date())
    session.commit()
    drawn = []
    real = audit.render_page
    monkeypatch.setattr(audit, "render_page", lambda m: drawn.append(m) or real(m))
    auditor = user(session, "auditor")
    pages = []
    for worker in (own_app(**shared_redis), own_app(**shared_redis)):
        cache().clear()
        client = worker.test_client()
        login(client, auditor)
        response = client.get("/audit/map?figure=facilities&lang=en")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert len(drawn) == 1, "the second worker drew the map again instead of taking the shared one"
    assert "leaflet" in pages[1].lower()
