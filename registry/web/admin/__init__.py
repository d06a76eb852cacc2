"""Registry administration in the browser: uploads, edits, the change log, data quality, users and keys.

Admins reach everything; operators reach uploads, edits, the change log and the quality page for
their own facilities only. The views translate HTTP to service calls (registry/services/records/uploads.py,
editing.py, changelog.py, quality.py, user_admin.py) and back.
"""
from registry.web.admin import changes, edits, quality, uploads, users  # noqa: F401  (routes)
from registry.web.admin.blueprint import blp

__all__ = ["blp"]
