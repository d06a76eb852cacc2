"""The closed vocabularies of the interchange format (DATA_FORMAT.md).

Each maps a stored key to the labels accepted for it on import. Keys are what
the database, the API and `export` use; labels are what bureaus type.
"""
FACILITY_KINDS = {
    "metrology": ("计量技术机构", "计量"),
    "testing": ("检验检测机构", "检验检测", "检测"),
    "certification": ("认证机构", "认证"),
}

OWNERSHIPS = {
    "state": ("国有",),
    "private": ("社会资金", "民营", "社会"),
}

LEVELS = {
    "national": ("国家级",),
    "provincial": ("省级",),
    "city": ("市级",),
    "district": ("区县级", "区级", "县级"),
}

STATUSES = {
    "active": ("正常", "有效"),
    "suspended": ("暂停",),
    "revoked": ("撤销",),
    "closed": ("注销", "关闭"),
}

CAPABILITY_KINDS = {
    "measurement_standard": ("计量标准", "社会公用计量标准"),
    "test_item": ("检验检测项目", "检验检测参数", "检测项目"),
    "certification_scope": ("认证范围",),
}

# How a facility serves an item of its scope (检定 is legal verification against a JJG regulation).
SERVICE_MODES = {
    "verification": ("检定",),
    "calibration": ("校准",),
    "testing": ("检测",),
    "inspection": ("检验",),
    "certification": ("认证",),
}

CAPABILITY_STATUSES = {
    "active": ("正常", "有效"),
    "suspended": ("暂停",),
}

# Standardisation bodies (Art. 6 names 计量、标准、检验检测、认证认可): a facility may also be one.
STANDARDISATION_KINDS = {
    "technical": ("标准化技术机构",),
    "service": ("标准化服务机构",),
}

# First level of JJF 1022-2014: key -> (two-digit code, Chinese name).
DISCIPLINES = {
    "length": ("01", "几何量"),
    "thermal": ("04", "热学"),
    "mechanics": ("12", "力学"),
    "electromagnetism": ("15", "电磁学"),
    "radio": ("23", "无线电"),
    "time_frequency": ("25", "时间频率"),
    "optics": ("28", "光学"),
    "acoustics": ("33", "声学"),
    "ionizing_radiation": ("37", "电离辐射"),
    "physical_chemistry": ("46", "物理化学"),
}

# Hangzhou's 13 districts and counties after the 2021 re-organisation: code -> (name, name_en).
# The one table of them: seeds/build_districts.py writes it into the seed files, geo/ receives it as data.
DISTRICTS = {
    "330102": ("上城区", "Shangcheng"),
    "330105": ("拱墅区", "Gongshu"),
    "330106": ("西湖区", "Xihu"),
    "330108": ("滨江区", "Binjiang"),
    "330109": ("萧山区", "Xiaoshan"),
    "330110": ("余杭区", "Yuhang"),
    "330111": ("富阳区", "Fuyang"),
    "330112": ("临安区", "Lin'an"),
    "330113": ("临平区", "Linping"),
    "330114": ("钱塘区", "Qiantang"),
    "330122": ("桐庐县", "Tonglu"),
    "330127": ("淳安县", "Chun'an"),
    "330182": ("建德市", "Jiande"),
}

COORDINATE_SYSTEMS = {
    "wgs84": ("wgs-84", "cgcs2000", "天地图", "tianditu", "gps"),
    "gcj02": ("gcj-02", "amap", "gaode", "高德", "tencent", "腾讯", "火星坐标"),
    "bd09": ("bd-09", "baidu", "百度"),
}

ACCREDITATION_SCHEMES = ("cma", "cnas", "cnca")

# A price agreed case by case (面议) instead of an amount: the words accepted for it in a price cell, and the
# one each language writes (import reads both back).
PRICE_ON_REQUEST = ("面议", "议价", "协商", "on request")
PRICE_ON_REQUEST_WRITTEN = {"zh": "面议", "en": "on request"}


def written(vocabulary: dict[str, tuple[str, ...]], key: str | None, lang: str) -> str | None:
    """A key as people write it in `lang`: in Chinese its first Chinese label (计量技术机构 for metrology),
    the key itself in English or when it has none. What templates and Chinese exports write, and import reads."""
    if key is None or lang != "zh" or key not in vocabulary:
        return key
    return next((label for label in vocabulary[key] if not label.isascii()), key)


def district_name(code: str | None, lang: str) -> str:
    """A district's name in `lang` (zh or en); an unknown code as it is."""
    if code not in DISTRICTS:
        return code or ""
    zh, en = DISTRICTS[code]
    return zh if lang == "zh" else en


def district_aliases() -> dict[str, tuple[str, ...]]:
    """Codes with their Chinese name, the name without its suffix, and the English name."""
    return {
        code: (zh, zh[:-1] if len(zh) > 2 else zh, en, en.replace("'", ""))
        for code, (zh, en) in DISTRICTS.items()
    }


def discipline_aliases() -> dict[str, tuple[str, ...]]:
    """Disciplines by key, JJF 1022 code (also without its leading zero) and Chinese name."""
    return {
        key: (code, code.lstrip("0"), zh) for key, (code, zh) in DISCIPLINES.items()
    }
