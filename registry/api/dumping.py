"""The API's response schemas dumped fast: each schema compiled once into plain functions.

marshmallow's `Schema.dump` walks every field of every item through several layers of calls
(get_value, the accessor, serialize, _serialize); a 20-item capability page is ~600 fields and
was ~2 ms of a keyword search's CPU, and building a fresh nested schema per answer another ~1.5 ms.
Here each schema (the same classes that generate the OpenAPI spec) is compiled once per process
into one converter per field, doing exactly what the field's own `_serialize` does for the field
types the API uses, and for the dicts the views hand over into one generated function with the
string, number and pass-through conversions written inline (the per-field calls were 3% of a keyword
search's instructions, callgrind). Any other field, or a schema with pre/post-dump hooks, is left to
marshmallow. tests/api/test_dumping.py holds the two to the same output.
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

    def lookup(obj, source, field):
        """marshmallow's own lookup (attributes, dotted paths), then the field's default; `missing` to skip."""
        value = get_attribute(obj, source, missing)
        if value is missing:
            default = field.dump_default
            value = default() if callable(default) else default
        return value

    def dump_object(obj):
        out = {}
        for source, key, convert, field in plan:
            value = lookup(obj, source, field)
            if value is not missing:
                out[key] = convert(value)
        return out
    return _dict_dumper(plan, lookup, dump_object)


def _dict_dumper(plan, lookup, dump_object):
    """The dump of a dict (what the API's views hand over) as one generated function: a key read, a
    type check and a store per field, with the common conversions written inline, instead of a loop
    calling a converter per field (a keyword search's page is ~600 fields)."""
    names = {"M": missing, "lookup": lookup, "dump_object": dump_object, "ensure_text_type": ensure_text_type}
    lines = ["def dump(obj):", "    if obj.__class__ is not dict:", "        return dump_object(obj)",
             "    get = obj.get", "    out = {}"]
    for i, (source, key, convert, field) in enumerate(plan):
        names[f"f{i}"], names[f"c{i}"] = field, convert
        lines += [f"    v = get({source!r}, M)",
                  "    if v is M:", f"        v = lookup(obj, {source!r}, f{i})",
                  "    if v is not M:", f"        out[{key!r}] = {_inline(convert, i, names)}"]
    lines.append("    return out")
    exec("\n".join(lines), names)  # noqa: S102 (source made here from the schema's field names)
    return names["dump"]


def _inline(convert, i: int, names: dict) -> str:
    """The expression converting `v` for field i: written out for strings, numbers and values passed as
    they are, else a call of its converter `c{i}`."""
    kind = getattr(convert, "inline", None)
    if kind == "same":
        return "v"
    if kind == "str":
        return "v if v is None or v.__class__ is str else ensure_text_type(v)"
    if isinstance(kind, type):
        names[f"t{i}"] = kind
        return f"v if v is None or v.__class__ is t{i} else t{i}(v)"
    return f"c{i}(v)"


def _marked(convert, inline):
    convert.inline = inline
    return convert


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
        return _marked(lambda v: v if v is None or type(v) is str else ensure_text_type(v), "str")
    if isinstance(field, fields.Number) and not field.as_string \
            and _defined_in(cls, "_serialize") is fields.Number and _defined_in(cls, "_format_num") is fields.Number:
        num_type = field.num_type
        return _marked(lambda v: None if v is None else v if type(v) is num_type else num_type(v), num_type)
    if _defined_in(cls, "_serialize") is fields.Field:  # Boolean, Raw: the value as it is
        return _marked(lambda v: v, "same")
    if _defined_in(cls, "_serialize") is getattr(fields, "_TemporalField", None):  # Date, Time, DateTime
        data_format = field.format or field.DEFAULT_FORMAT  # as bound to the schema
        format_func = field.SERIALIZATION_FUNCS.get(data_format)
        if format_func is not None:
            return lambda v: None if v is None else format_func(v)
        return lambda v: None if v is None else v.strftime(data_format)
    serialize = field._serialize  # Date, DateTime, Dict, and the registry's own (UtcDateTime, SplitList)
    return lambda v: serialize(v, None, None)
