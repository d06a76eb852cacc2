"""Query-string and form values as werkzeug parses them, read without raising for an absent key.

werkzeug's `MultiDict.get` reads `self[key]`, which raises and catches a `BadRequestKeyError` (an
HTTPException, built with its description) for every absent key. webargs asks for each of an API
search's ~30 parameters, most of them absent: 2.5% of a keyword search's instructions (callgrind).
The same answers, read from the lists werkzeug keeps underneath.
"""
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict


class Args(ImmutableMultiDict):
    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own parameter name)
        if type is not None:
            return super().get(key, default, type)
        values = dict.get(self, key)
        return values[0] if values else default


class RegistryRequest(Request):
    parameter_storage_class = Args
