"""The root of the registry's own errors: each says what happened in a stable snake_case `code`.

Services raise these with plain values; registry/http_errors.py maps them (and werkzeug's own
HTTP errors) to answers in one place, the CLI to exit statuses. A subclass gets its code from its
name (`FullyBooked` → `fully_booked`) unless it names one itself, so every code has one style.
"""
import re


def snake_case(name: str) -> str:
    """`FullyBooked` → `fully_booked`, `Method Not Allowed` → `method_not_allowed`, `I'm a teapot` → `im_a_teapot`."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.replace("'", ""))
    return re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


class RegistryError(Exception):
    """An error the user can act on; `message` is shown as it is (it may be lazy, i.e. localised)."""

    status = 400
    code = "invalid_request"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake_case(cls.__name__)

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class Forbidden(RegistryError):
    status = 403


class NotFound(RegistryError):
    status = 404


class Conflict(RegistryError):
    status = 409
