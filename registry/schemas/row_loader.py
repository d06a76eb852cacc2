"""`schema.load` for a stream of rows, at a fraction of marshmallow's cost per row.

An import loads every row of a file through its row schema (2,000,000 capabilities in a province);
marshmallow's own machinery (an error store, a closure and a validator chain built per field and per
row, hook lookups by name) cost more than the rules themselves. A RowLoader runs the same steps of
`Schema.load` with what it looked up once: each field's own `deserialize` steps, the schema's
`validates_schema` methods, its `post_load` methods. It holds no rule of its own: the schema stays
the one home of the rules. The first ValidationError hands the row to `schema.load`, which raises
the complete, precise messages exactly as before (and would load the row, were it valid after all).
A schema using what the plan does not follow (pre_load, field validators by name, many, partial,
other than EXCLUDE for unknown columns) is loaded by `schema.load` every time.
"""
from marshmallow import EXCLUDE, ValidationError, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA


class RowLoader:
    """`load(raw)` returns what `schema.load(raw)` returns, and raises what it raises."""

    def __init__(self, schema):
        self.schema = schema
        self.fields = self.plan(schema)
        hooks = schema._hooks  # bound once: (method, pass_original)
        self.validators = [(getattr(schema, name), options.get("pass_original", False))
                           for name, _many, options in hooks[VALIDATES_SCHEMA]]
        self.post_loads = [(getattr(schema, name), options.get("pass_original", False))
                           for name, _many, options in hooks[POST_LOAD]]
        self.options = {"partial": schema.partial, "many": False, "unknown": schema.unknown}

    @staticmethod
    def plan(schema) -> list[tuple] | None:
        """(key in the row, key in the result, field, default) per field; None: follow schema.load."""
        hooks = schema._hooks
        if (hooks[PRE_LOAD] or hooks[VALIDATES] or schema.many or schema.partial
                or schema.unknown != EXCLUDE
                or any(many for _name, many, _kw in hooks[VALIDATES_SCHEMA] + hooks[POST_LOAD])):
            return None
        steps = []
        for name, field in schema.load_fields.items():
            if field.pre_load or field.post_load or field.validators or field.allow_none:
                return None  # field.deserialize's other steps: not worth following here
            steps.append((field.data_key or name, field.attribute or name, field, field.load_default))
        if any("." in attribute for _key, attribute, _field, _default in steps):
            return None  # dotted attributes nest the result (marshmallow's set_value)
        return steps

    def load(self, raw: dict) -> dict:
        if self.fields is None or type(raw) is not dict:
            return self.schema.load(raw)
        try:
            return self._load(raw)
        except ValidationError:
            return self.schema.load(raw)  # every problem of the row, in marshmallow's words

    def _load(self, raw: dict) -> dict:
        data = {}
        for key, attribute, field, default in self.fields:
            value = raw.get(key, missing)
            if value is missing:
                if field.required:
                    raise ValidationError("required")
                value = default() if callable(default) else default
                if value is not missing:
                    data[attribute] = value
                continue
            if value is None:
                raise ValidationError("null")
            data[attribute] = field._deserialize(value, key, raw)
        options = self.options
        for validator, pass_original in self.validators:
            if pass_original:
                validator(data, raw, **options)
            else:
                validator(data, **options)
        for process, pass_original in self.post_loads:
            data = process(data, raw, **options) if pass_original else process(data, **options)
        return data
