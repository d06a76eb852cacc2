"""Partner API keys: issue, list, revoke, and recognise a presented key.

A key is `hqr_` + 8 public characters + 32 secret ones. Only its SHA-256 is
stored: keys are random and long, so a plain hash is enough (no salt, no slow
hash), and a presented key is found with one indexed lookup.
"""
import hashlib
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.errors import RegistryError
from registry.models import ApiKey
from registry.models.base import utcnow

SCOPES = ("read", "book", "audit")  # audit: the bureaus' figures (GET /api/v1/audit)
KEY_PREFIX = "hqr_"
MAX_KEY_CHARS = 100


@dataclass(frozen=True)
class KeyIdentity:
    """What a request presenting a valid key may do (kept per request, not tied to a session)."""

    id: int
    partner: str
    scopes: frozenset[str]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def parse_scopes(text: str) -> str:
    scopes = [s.strip().lower() for s in (text or "").split(",") if s.strip()]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise RegistryError(_l("Scopes must be among: %(scopes)s", scopes=", ".join(SCOPES)))
    return ",".join(s for s in SCOPES if s in scopes)


def create_key(session, partner: str, scopes: str) -> tuple[ApiKey, str]:
    """A new key for `partner`; the key itself is returned once and never stored."""
    partner = (partner or "").strip()
    if not partner or len(partner) > 120:
        raise RegistryError(_l("A partner name of 1 to 120 characters is needed."))
    public = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(24)}"
    row = ApiKey(partner=partner, prefix=f"{KEY_PREFIX}{public}", key_hash=hash_key(key),
                 scopes=parse_scopes(scopes))
    session.add(row)
    session.commit()
    return row, key


def list_keys(session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session, key_id_or_prefix: str) -> ApiKey:
    """Revoke by id or by the public prefix shown in listings; revoking twice is harmless."""
    text = (key_id_or_prefix or "").strip()
    condition = ApiKey.id == int(text) if text.isdigit() else ApiKey.prefix == text
    row = session.scalars(select(ApiKey).where(condition)).first()
    if row is None:
        raise RegistryError(_l("No such API key: %(key)s", key=text[:40]))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


def identify(session, key: str) -> KeyIdentity | None:
    """The identity behind a presented key, or None when it is unknown or revoked."""
    if not key or len(key) > MAX_KEY_CHARS or not key.startswith(KEY_PREFIX):
        return None
    row = session.execute(select(ApiKey.id, ApiKey.partner, ApiKey.scopes, ApiKey.revoked_at)
                          .where(ApiKey.key_hash == hash_key(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return KeyIdentity(row.id, row.partner, frozenset(s for s in row.scopes.split(",") if s))
