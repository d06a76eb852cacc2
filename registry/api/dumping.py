"""The API's response schemas dumped fast: each schema compiled once into plain functions.

marshmallow's `Schema.dump` walks every field of every item through several layers of calls
(get_value, the accessor, serialize, _serialize); a 20-item capability page is ~600 fields and
was ~2 ms of a keyword search's CPU, and building a fresh nested schema per answer another ~1.5 ms.
Here each schema (the same classes that generate the OpenAPI spec) is compiled once per process
into one converter per field, doing exactly what the field's own `_serialize` does for the field
types the API uses; any other field, or a schema with pre/post-dump hooks, is left to marshmallow.
tests/api/test_dumping.py holds the two to the same output.
"""
from __future__ import annotations

import threading

from marshmallow import Schema, fields, missing
from marshmallow.utils import ensure_text_type

_COMPILED: dict[type, object] = {}
_LOCK = threading.Lock()


def dumper(schema_class: type[Schema]):
    """dump(data) -> what `schema_class().dump(data)` gives, compiled on first use."""
    compiled = _COMPILED.get(schema_class)
    if compiled is None:
        with _LOCK:
            compiled = _COMPILED.get(schema_class) or _compile(schema_class())
            _COMPILED[schema_class] = compiled
    return compiled


def _compile(schema: Schema):
    hooked = schema._hooks.get("pre_dump") or schema._hooks.get("post_dump")
    if hooked or schema.many or not all(f._CHECK_ATTRIBUTE for f in schema.dump_fields.values()):
        return schema.dump
    plan = []
    for name, field in schema.dump_fields.items():
        plan.append((field.attribute or name, field.data_key or name, _converter(field), field))
    get_attribute = schema.get_attribute

    def dump(obj):
        out = {}
        is_dict = isinstance(obj, dict)
        for source, key, convert, field in plan:
            value = obj.get(source, missing) if is_dict else missing
            if value is missing:  # not a plain key: marshmallow's own lookup (attributes, dotted paths)
                value = get_attribute(obj, source, missing)
            if value is missing:
                default = field.dump_default
                value = default() if callable(default) else default
                if value is missing:
                    continue
            out[key] = convert(value)
        return out
    return dump


def _defined_in(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass
    return None


def _converter(field):
    cls = type(field)
    if isinstance(field, fields.Nested) and _defined_in(cls, "_serialize") is fields.Nested:
        inner = _compile(field.schema)
        if field.many:
            return lambda v: None if v is None else [inner(x) for x in v]
        return lambda v: None if v is None else inner(v)
    if isinstance(field, fields.List) and _defined_in(cls, "_serialize") is fields.List:
        item = _converter(field.inner)
        return lambda v: None if v is None else [item(x) for x in v]
    if isinstance(field, fields.String) and _defined_in(cls, "_serialize") is fields.String:
        return lambda v: v if v is None or type(v) is str else ensure_text_type(v)
    if isinstance(field, fields.Number) and not field.as_string \
            and _defined_in(cls, "_serialize") is fields.Number and _defined_in(cls, "_format_num") is fields.Number:
        num_type = field.num_type
        return lambda v: None if v is None else v if type(v) is num_type else num_type(v)
    if _defined_in(cls, "_serialize") is fields.Field:  # Boolean, Raw: the value as it is
        return lambda v: v
    if _defined_in(cls, "_serialize") is getattr(fields, "_TemporalField", None):  # Date, Time, DateTime
        data_format = field.format or field.DEFAULT_FORMAT  # as bound to the schema
        format_func = field.SERIALIZATION_FUNCS.get(data_format)
        if format_func is not None:
            return lambda v: None if v is None else format_func(v)
        return lambda v: None if v is None else v.strftime(data_format)
    serialize = field._serialize  # Date, DateTime, Dict, and the registry's own (UtcDateTime, SplitList)
    return lambda v: serialize(v, None, None)
