"""registry/request_args.py: the app's query strings and forms answer `get` as werkzeug's MultiDict does."""
import pytest
from werkzeug.datastructures import ImmutableMultiDict

from registry.request_args import Args

PAIRS = [("q", "压力"), ("district", "330106"), ("district", "330108"), ("limit", "20"), ("empty", "")]


@pytest.mark.parametrize("key, default, type_", [
    ("q", None, None), ("district", None, None), ("absent", None, None), ("absent", "x", None),
    ("empty", "x", None), ("limit", None, int), ("q", -1, int), ("absent", 7, int),
])
def test_get_answers_as_werkzeugs_multidict(key, default, type_):
    assert Args(PAIRS).get(key, default, type_) == ImmutableMultiDict(PAIRS).get(key, default, type_)


def test_the_app_parses_query_strings_into_args(app):
    with app.test_request_context("/api/v1/capabilities?q=%E5%8E%8B%E5%8A%9B&district=330106&district=330108"):
        from flask import request
        assert isinstance(request.args, Args)
        assert request.args.get("q") == "压力" and request.args.getlist("district") == ["330106", "330108"]
        assert request.args.get("kind") is None
