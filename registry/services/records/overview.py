"""Headline counts of what the registry holds, per district and kind."""
from sqlalchemy import func, select

from registry.models import Capability, District, Facility


def registry_overview(session) -> dict:
    live = Facility.deleted_at.is_(None)
    per_district = {
        (row.district_code, row.kind): row.n
        for row in session.execute(
            select(Facility.district_code, Facility.kind, func.count().label("n"))
            .where(live).group_by(Facility.district_code, Facility.kind))
    }
    districts = session.scalars(select(District).order_by(District.code)).all()
    capabilities = session.scalar(
        select(func.count()).select_from(Capability).join(Facility)
        .where(live, Capability.deleted_at.is_(None))) or 0
    demo = session.scalar(select(func.count()).where(live, Facility.demo)) or 0
    # The audit pages count active facilities only: the pages that show both numbers say why they differ.
    inactive = session.scalar(select(func.count()).where(live, Facility.status != "active")) or 0
    return {
        "districts": [
            {"district": d, "by_kind": {k: per_district.get((d.code, k), 0)
                                        for k in ("metrology", "testing", "certification")}}
            for d in districts
        ],
        "facilities": sum(per_district.values()),
        "capabilities": capabilities,
        "demo_facilities": demo,
        "inactive_facilities": inactive,
    }
