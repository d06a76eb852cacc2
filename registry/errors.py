"""The root of the registry's own errors, mapped to HTTP and exit codes in one place."""


class RegistryError(Exception):
    """An error the user can act on; `message` is shown as it is (it may be lazy)."""

    status = 400

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class NotFound(RegistryError):
    status = 404


class Conflict(RegistryError):
    status = 409
