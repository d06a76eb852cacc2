"""Row schemas of the interchange format (DATA_FORMAT.md), v1.

`load` turns one row of text cells into a canonical record: the typed values
that the registry stores and that `export` writes back. The same schemas
validate API input, so a rule is written once.
"""
from functools import cache

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, post_load, validates_schema

from geo.coords import to_wgs84
from registry import identifiers, vocabulary
from registry.schemas import rules
from registry.schemas.fields import (
    ON_REQUEST,
    Cell,
    Choice,
    Day,
    Email,
    ExternalId,
    Integer,
    Normalised,
    Number,
    Price,
    SeparatedList,
    Text,
    Url,
    YesNo,
    standards_field,
    unit_field,
)

# Canonical column -> Chinese header accepted as an alias, in the order `export` writes.
FACILITY_COLUMNS = {
    "facility_id": "机构编号", "name": "机构名称", "name_en": "英文名称", "kind": "类型",
    "ownership": "性质", "level": "层级", "uscc": "统一社会信用代码", "org_name": "运营单位",
    "district_code": "所属区县", "address": "地址", "lon": "经度", "lat": "纬度",
    "crs": "坐标系", "phone": "电话", "email": "邮箱", "website": "网址", "shared": "是否共享",
    "fields": "重点领域", "cma_no": "CMA证书编号", "cma_valid_until": "CMA有效期至",
    "cnas_no": "CNAS注册号", "cnas_valid_until": "CNAS有效期至", "cnca_no": "CNCA批准号",
    "status": "状态",
}
CAPABILITY_COLUMNS = {
    "facility_id": "机构编号", "capability_id": "能力编号", "kind": "能力类型", "name": "名称",
    "discipline": "计量专业", "category": "类别", "standards": "依据标准", "quantity": "被测量",
    "range_min": "测量范围下限", "range_max": "测量范围上限", "unit": "单位",
    "uncertainty": "不确定度/准确度", "certificate_no": "证书编号", "valid_until": "有效期至",
    "price_cny": "参考价格", "lead_time_days": "周期天数", "bookable": "可预约",
    "daily_capacity": "日容量",
}
# A capability record's keys: its columns, and `price_on_request`, which a price cell of 面议 sets (no amount)
CAPABILITY_FIELDS = [*CAPABILITY_COLUMNS, "price_on_request"]

COORDINATE_DECIMALS = 7  # about 1 cm: enough, and exact to round-trip


class FacilityRowSchema(Schema):
    COLUMNS = FACILITY_COLUMNS

    class Meta:
        unknown = EXCLUDE

    facility_id = ExternalId(required=True)
    name = Text(200, required=True)
    name_en = Text(200)
    kind = Choice(vocabulary.FACILITY_KINDS, required=True)
    ownership = Choice(vocabulary.OWNERSHIPS, required=True)
    level = Choice(vocabulary.LEVELS)
    uscc = Normalised(identifiers.normalize_uscc, required=True)
    org_name = Text(rules.ORG_NAME_MAX)
    district_code = Choice(vocabulary.district_aliases())
    address = Text(300)
    lon = Number(*rules.LONGITUDE)
    lat = Number(*rules.LATITUDE)
    crs = Choice(vocabulary.COORDINATE_SYSTEMS, written_as_key=True, load_default="wgs84")
    phone = Text(rules.PHONE_MAX)
    email = Email()
    website = Url()
    shared = YesNo(required=True)
    fields = SeparatedList()
    cma_no = Normalised(identifiers.normalize_cma)
    cma_valid_until = Day()
    cnas_no = Normalised(identifiers.normalize_cnas)
    cnas_valid_until = Day()
    cnca_no = Normalised(identifiers.normalize_cnca)
    status = Choice(vocabulary.STATUSES, load_default="active")

    def __init__(self, locator, **kwargs):
        """`locator` is a geo.districts.DistrictLocator: the location rules need the boundaries."""
        super().__init__(**kwargs)
        self.locator = locator

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_pairs(self, data, original, **kwargs):
        """Pairs are judged on what the cells hold, so a bad value is one error, not two."""
        if ("lon" in original) != ("lat" in original):
            missing = "lat" if "lon" in original else "lon"
            raise ValidationError(_l("give both lon and lat, or neither"), missing)
        for scheme in ("cma", "cnas"):
            if f"{scheme}_valid_until" in original and f"{scheme}_no" not in original:
                raise ValidationError(
                    _l("a validity date needs the certificate number in %(column)s",
                       column=f"{scheme}_no"),
                    f"{scheme}_valid_until",
                )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_location(self, data, original, **kwargs):
        """The location rules of DATA_FORMAT.md, checked even when other cells are wrong."""
        if "lon" not in data or "lat" not in data or "crs" not in data:
            if "lon" not in original and "district_code" not in data and "district_code" not in original:
                raise ValidationError(
                    _l("required when the facility has no coordinates"), "district_code")
            return
        declared_known = "district_code" in data or "district_code" not in original
        lon, lat, match = self.place(data)
        if match.problem == "outside_city":
            raise ValidationError(
                _l("the point (%(lon)s, %(lat)s, %(crs)s) is outside Hangzhou",
                   lon=data["lon"], lat=data["lat"], crs=data["crs"]), "lon")
        if match.problem == "wrong_district" and declared_known:
            raise ValidationError(
                _l("the point lies in %(located)s, %(km).1f km from the declared district "
                   "%(declared)s (at most 1 km is allowed)",
                   located=district_label(match.located),
                   declared=district_label(data["district_code"]),
                   km=self.locator.distance_m(lon, lat, data["district_code"]) / 1000),
                "district_code")

    def place(self, data):
        """WGS-84 coordinates (rounded as stored) and how they match the declared district."""
        lon, lat = to_wgs84(data["lon"], data["lat"], data["crs"])
        lon, lat = round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)
        return lon, lat, self.locator.check(lon, lat, data.get("district_code"))

    @post_load
    def to_record(self, data, **kwargs):
        """Store WGS-84 and the district (declared, or derived from the point)."""
        record = {column: data.get(column) for column in FACILITY_COLUMNS if column != "crs"}
        if record["lon"] is not None:
            lon, lat, match = self.place(data)
            record.update(lon=lon, lat=lat, district_code=match.code)
        return record


class CapabilityRowSchema(Schema):
    COLUMNS = CAPABILITY_COLUMNS

    class Meta:
        unknown = EXCLUDE

    facility_id = ExternalId(required=True)
    capability_id = ExternalId(required=True)
    kind = Choice(vocabulary.CAPABILITY_KINDS, required=True)
    name = Text(300, required=True)
    discipline = Choice(vocabulary.discipline_aliases())
    category = Text(200)
    standards = standards_field()
    quantity = Text(100)
    range_min = Number()
    range_max = Number()
    unit = unit_field()
    uncertainty = Text(200)
    certificate_no = Text(100)
    valid_until = Day()
    price_cny = Price(*rules.PRICE_CNY)
    lead_time_days = Integer(*rules.LEAD_TIME_DAYS)
    bookable = YesNo(load_default=False)
    daily_capacity = Integer(*rules.DAILY_CAPACITY)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_rules(self, data, original, **kwargs):
        """Rules across cells, checked even when some cells are wrong (every error is reported);
        "given" means the cell holds something, valid or not."""
        errors = {}
        if data.get("kind") == "measurement_standard" and "discipline" not in original:
            errors["discipline"] = [_l("required for a measurement standard")]
        low, high = data.get("range_min"), data.get("range_max")
        if low is not None and high is not None and low > high:
            errors["range_min"] = [_l("greater than range_max (%(max)s)", max=high)]
        if ("range_min" in original or "range_max" in original) and "unit" not in original:
            errors["unit"] = [_l("required when a range is given")]
        if data.get("bookable") and "daily_capacity" not in original:
            errors["daily_capacity"] = [_l("required when the capability is bookable")]
        if errors:
            raise ValidationError(errors)

    @post_load
    def to_record(self, data, **kwargs):
        """面议 in the price cell: no amount, and the price is on request."""
        record = {column: data.get(column) for column in CAPABILITY_COLUMNS}
        record["price_on_request"] = record["price_cny"] == ON_REQUEST
        if record["price_on_request"]:
            record["price_cny"] = None
        return record


def headers(schema_class, lang: str) -> list[str]:
    """The header row of a table in a file of `lang`: the Chinese headers, or the English column names."""
    return [schema_class.COLUMNS[c] if lang == "zh" else c for c in schema_class.COLUMNS]


def written_row(schema_class, record: dict, lang: str) -> list:
    """A canonical record as the cells of a file of `lang`, in column order: what `export` and the upload
    templates write, and import reads back to the same record. Chinese writes vocabulary values and yes/no as
    people write them (检验检测机构, 国有, 是), English the keys; a price on request is 面议 (on request)."""
    row = [value if write is None else write(value, lang)
           for value, write in zip(map(record.get, schema_class.COLUMNS), _writers(schema_class))]
    if record.get("price_on_request"):
        row[PRICE_INDEX] = vocabulary.PRICE_ON_REQUEST_WRITTEN[lang]
    return row


PRICE_INDEX = list(CAPABILITY_COLUMNS).index("price_cny")


@cache
def _writers(schema_class) -> tuple:
    """Each column's field's `written`, None where it writes the value as it is (an export calls these
    for every cell of 300,000 rows)."""
    declared = schema_class._declared_fields
    return tuple(None if type(declared[c]).written is Cell.written else declared[c].written
                 for c in schema_class.COLUMNS)


def district_label(code: str | None) -> str:
    name, _en = vocabulary.DISTRICTS.get(code, (code, code))
    return f"{name} ({code})"
