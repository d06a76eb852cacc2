"""Domain vocabulary for the demonstration data generator (seeds/generate.py).

Everything here is plain data. Names of organisations are made up and always
carry the demonstration marker; standard numbers, verification regulations
(JJG/JJF) and certification schemes are real, so that searches by standard
number behave as they would on real data. Street and town names are real
public place names, combined with made-up house numbers.

Units are written as a bureau writes them and must be readable by
`registry.units.parse_unit` (the tests check every one).
"""
from __future__ import annotations

from typing import NamedTuple

DEMO_MARKER = "（演示）"
DEMO_MARKER_EN = "(Demo)"


class DistrictProfile(NamedTuple):
    short: str  # the name without 区/县/市, used in facility names
    pinyin: str
    weight: float  # share of facilities; urban core, 萧山 and 余杭 heavy
    centre: tuple[float, float]  # WGS-84 lon, lat of the main built-up area
    spread_km: float  # standard deviation of facility locations around it
    towns: tuple[str, ...]  # 街道/镇 used in addresses


DISTRICT_PROFILES: dict[str, DistrictProfile] = {
    "330102": DistrictProfile("上城", "Shangcheng", 10, (120.200, 30.275), 3.0,
        ("湖滨街道", "小营街道", "望江街道", "采荷街道", "凯旋街道", "四季青街道", "笕桥街道", "九堡街道",
         "丁兰街道", "彭埠街道")),
    "330105": DistrictProfile("拱墅", "Gongshu", 9, (120.150, 30.315), 2.5,
        ("米市巷街道", "湖墅街道", "小河街道", "拱宸桥街道", "大关街道", "祥符街道", "康桥街道", "半山街道",
         "武林街道", "朝晖街道")),
    "330106": DistrictProfile("西湖", "Xihu", 11, (120.100, 30.280), 3.5,
        ("西溪街道", "翠苑街道", "古荡街道", "文新街道", "蒋村街道", "转塘街道", "留下街道", "三墩镇",
         "双浦镇")),
    "330108": DistrictProfile("滨江", "Binjiang", 10, (120.200, 30.200), 2.0,
        ("西兴街道", "长河街道", "浦沿街道")),
    "330109": DistrictProfile("萧山", "Xiaoshan", 12, (120.270, 30.180), 6.0,
        ("城厢街道", "北干街道", "蜀山街道", "新塘街道", "宁围街道", "新街街道", "闻堰街道", "衙前镇",
         "瓜沥镇", "临浦镇", "义桥镇")),
    "330110": DistrictProfile("余杭", "Yuhang", 12, (120.000, 30.290), 6.0,
        ("五常街道", "仓前街道", "余杭街道", "闲林街道", "中泰街道", "良渚街道", "仁和街道", "瓶窑镇",
         "径山镇")),
    "330111": DistrictProfile("富阳", "Fuyang", 5, (119.960, 30.050), 6.0,
        ("富春街道", "东洲街道", "银湖街道", "春江街道", "鹿山街道", "新登镇", "场口镇", "大源镇")),
    "330112": DistrictProfile("临安", "Lin'an", 4, (119.725, 30.235), 6.0,
        ("锦城街道", "锦北街道", "玲珑街道", "青山湖街道", "於潜镇", "昌化镇", "太湖源镇")),
    "330113": DistrictProfile("临平", "Linping", 6, (120.300, 30.420), 4.0,
        ("临平街道", "南苑街道", "东湖街道", "星桥街道", "乔司街道", "运河街道", "崇贤街道", "塘栖镇")),
    "330114": DistrictProfile("钱塘", "Qiantang", 7, (120.350, 30.300), 4.0,
        ("下沙街道", "白杨街道", "河庄街道", "义蓬街道", "新湾街道", "临江街道", "前进街道")),
    "330122": DistrictProfile("桐庐", "Tonglu", 3, (119.690, 29.800), 6.0,
        ("桐君街道", "旧县街道", "城南街道", "横村镇", "分水镇", "富春江镇")),
    "330127": DistrictProfile("淳安", "Chun'an", 1.5, (119.040, 29.610), 8.0,
        ("千岛湖镇", "文昌镇", "石林镇", "汾口镇", "威坪镇", "临岐镇")),
    "330182": DistrictProfile("建德", "Jiande", 2, (119.280, 29.480), 7.0,
        ("新安江街道", "洋溪街道", "更楼街道", "梅城镇", "寿昌镇", "乾潭镇", "下涯镇")),
}

ROADS = (
    "科技大道", "创新路", "创业路", "工业路", "振兴路", "兴业街", "育才路", "开元路", "文昌路",
    "环城北路", "滨河路", "学林街", "金桥路", "明珠路", "新民路", "聚才路", "通惠路", "长兴路",
)

# Made-up brand names for privately funded organisations, with pinyin.
BRANDS = (
    ("澄衡", "Chengheng"), ("明测", "Mingce"), ("启准", "Qizhun"), ("衡岳", "Hengyue"),
    ("远拓", "Yuantuo"), ("钧量", "Junliang"), ("睿检", "Ruijian"), ("青衡", "Qingheng"),
    ("拓准", "Tuozhun"), ("瀚测", "Hance"), ("正澜", "Zhenglan"), ("晟衡", "Shengheng"),
    ("朗准", "Langzhun"), ("越衡", "Yueheng"), ("恒睿", "Hengrui"), ("禾准", "Hezhun"),
    ("舜测", "Shunce"), ("思衡", "Siheng"), ("钱准", "Qianzhun"), ("湖测", "Huce"),
    ("栖衡", "Qiheng"), ("云检", "Yunjian"), ("弘测", "Hongce"), ("泓准", "Hongzhun"),
    ("临衡", "Linheng"), ("和测", "Hece"), ("知准", "Zhizhun"), ("承衡", "Chengheng"),
    ("鉴澄", "Jiancheng"), ("量衡", "Liangheng"), ("沐测", "Muce"), ("安准", "Anzhun"),
)

FACILITY_KINDS = ("metrology", "testing", "certification")
KIND_SHARES = {"metrology": 0.15, "testing": 0.65, "certification": 0.20}
STATE_SHARE_BY_KIND = {"metrology": 0.80, "testing": 0.35, "certification": 0.25}  # about 40 % overall
STATE_LEVEL_SHARES = {"national": 0.08, "provincial": 0.22, "city": 0.30, "district": 0.40}
# National and provincial institutes sit in the urban districts, not in the rural counties.
HIGH_LEVEL_DISTRICTS = ("330102", "330105", "330106", "330108", "330109", "330110", "330113", "330114")
STATUS_SHARES = {"active": 0.94, "suspended": 0.03, "revoked": 0.015, "closed": 0.015}
NO_COORDINATES_SHARE = 0.05
GCJ02_SHARE = 0.03
STATE_NOT_SHARED_SHARE = 0.05  # the handful that bureau auditors look for (Art. 6)
PRIVATE_SHARED_SHARE = 0.50
EXPIRED_SHARE = 0.05  # certificates and capabilities lapsed before --as-of
BOOKABLE_SHARE = 0.30

KEY_FIELDS = (
    "数字经济", "生物医药", "高端装备", "新材料", "节能环保", "集成电路", "新能源汽车", "智能制造",
    "食品安全", "时尚产业", "航空航天", "人工智能",
)

# Metrology: which disciplines a facility of each level typically covers.
GENERAL_DISCIPLINES = ("length", "thermal", "mechanics", "electromagnetism", "physical_chemistry")
DISCIPLINE_WORDS = {  # discipline -> word used in names of specialised institutes
    "length": ("几何量", "Dimensional"), "thermal": ("热工", "Thermal"), "mechanics": ("力学", "Mechanical"),
    "electromagnetism": ("电学", "Electrical"), "radio": ("无线电", "Radio"),
    "time_frequency": ("时间频率", "Time and Frequency"), "optics": ("光学", "Optical"),
    "acoustics": ("声学", "Acoustic"), "ionizing_radiation": ("电离辐射", "Ionizing Radiation"),
    "physical_chemistry": ("化学", "Chemical"),
}


# Facility names by (kind, level) for state facilities and (kind, "private").
# Each is (Chinese, English, operating organisation or None for the facility
# itself). Placeholders: {brand} {brand_en}, {disc} {disc_en} (the lead
# discipline), {dom} {dom_en} (the main test domain), {dprefix} {den}
# (the district, e.g. 杭州市萧山区 / Hangzhou Xiaoshan). Every state name
# carries 示范 and every name gets DEMO_MARKER, so none can pass for a real one.
NAME_TEMPLATES: dict[tuple[str, str], tuple[tuple[str, str, str | None], ...]] = {
    ("metrology", "national"): (
        ("国家示范{disc}计量测试中心", "National Demo {disc_en} Metrology Centre", None),),
    ("metrology", "provincial"): (
        ("浙江省示范计量科学研究院", "Zhejiang Demo Institute of Metrology", None),
        ("浙江省示范{disc}计量测试所", "Zhejiang Demo {disc_en} Metrology Institute", None)),
    ("metrology", "city"): (
        ("杭州市示范计量检测研究院", "Hangzhou Demo Institute of Metrology and Testing", None),
        ("杭州市示范{disc}计量检测站", "Hangzhou Demo {disc_en} Metrology Station", None)),
    ("metrology", "district"): (
        ("{dprefix}示范计量检定测试所", "{den} Demo Metrology Verification and Testing Institute", None),
        ("{dprefix}示范计量技术服务中心", "{den} Demo Metrology Service Centre", None),
        ("{dprefix}示范{disc}计量检测站", "{den} Demo {disc_en} Metrology Station", None)),
    ("metrology", "private"): (
        ("浙江{brand}计量检测技术有限公司", "Zhejiang {brand_en} Metrology Testing Technology Co., Ltd.", None),
        ("杭州{brand}校准技术有限公司", "Hangzhou {brand_en} Calibration Technology Co., Ltd.", None),
        ("杭州{brand}仪器仪表校准有限公司", "Hangzhou {brand_en} Instrument Calibration Co., Ltd.", None)),
    ("testing", "national"): (
        ("国家示范{dom}质量检验检测中心", "National Demo {dom_en} Quality Inspection and Testing Centre", None),),
    ("testing", "provincial"): (
        ("浙江省示范{dom}质量检验研究院", "Zhejiang Demo {dom_en} Quality Inspection Institute", None),
        ("浙江省示范{dom}检测中心", "Zhejiang Demo {dom_en} Testing Centre", None)),
    ("testing", "city"): (
        ("杭州市示范{dom}质量检测中心", "Hangzhou Demo {dom_en} Quality Testing Centre", None),),
    ("testing", "district"): (
        ("{dprefix}示范综合检验检测中心", "{den} Demo Inspection and Testing Centre", None),
        ("{dprefix}示范{dom}检验站", "{den} Demo {dom_en} Inspection Station", None),
        ("{dprefix}示范{dom}质量检测所", "{den} Demo {dom_en} Quality Testing Institute", None)),
    ("testing", "private"): (
        ("浙江{brand}检测技术有限公司", "Zhejiang {brand_en} Testing Technology Co., Ltd.", None),
        ("杭州{brand}{dom}检测有限公司", "Hangzhou {brand_en} {dom_en} Testing Co., Ltd.", None),
        ("浙江{brand}科技有限公司检测中心", "Testing Centre of Zhejiang {brand_en} Technology Co., Ltd.",
         "浙江{brand}科技有限公司")),
    ("certification", "national"): (
        ("国家示范认证中心浙江分中心", "National Demo Certification Centre, Zhejiang Branch", None),),
    ("certification", "provincial"): (
        ("浙江省示范质量认证中心", "Zhejiang Demo Quality Certification Centre", None),),
    ("certification", "city"): (
        ("杭州市示范认证服务中心", "Hangzhou Demo Certification Service Centre", None),),
    ("certification", "district"): (
        ("{dprefix}示范认证服务中心", "{den} Demo Certification Service Centre", None),),
    ("certification", "private"): (
        ("浙江{brand}认证有限公司", "Zhejiang {brand_en} Certification Co., Ltd.", None),
        ("杭州{brand}质量认证有限公司", "Hangzhou {brand_en} Quality Certification Co., Ltd.", None),
        ("{brand}（杭州）认证服务有限公司", "{brand_en} (Hangzhou) Certification Services Co., Ltd.", None)),
}

# USCC positions 3-8 are the registering authority's division at registration:
# organisations registered before the 2021 re-organisation keep old codes
# (下城 330103, 江干 330104, 余杭 330110 for what is now 临平, 富阳市 330183, 临安市 330185).
OLD_DIVISIONS = {
    "330102": ("330103", "330104"), "330105": ("330103",), "330113": ("330110",),
    "330114": ("330104",), "330111": ("330183",), "330112": ("330185",),
}

class StandardEntry(NamedTuple):
    """A measurement standard (计量标准) and the verification it supports."""
    discipline: str
    name: str
    quantity: str
    unit: str
    ranges: tuple[tuple[str, str], ...]  # possible (min, max); empty: no range given
    uncertainty: str
    standards: str


def _ms(discipline, name, quantity, unit, ranges, uncertainty, standards=""):
    return StandardEntry(discipline, name, quantity, unit, tuple(ranges), uncertainty, standards)


MEASUREMENT_STANDARDS: tuple[StandardEntry, ...] = (
    # 几何量
    _ms("length", "三等量块标准装置", "长度", "mm", [("0.5", "100"), ("0.5", "1000")], "三等", "JJG 146-2011"),
    _ms("length", "卡尺检定装置", "长度", "mm", [("0", "300"), ("0", "1000")], "MPE: ±0.02 mm", "JJG 30-2012"),
    _ms("length", "千分尺检定装置", "长度", "mm", [("0", "100"), ("0", "500")], "U=0.5 μm, k=2", "JJG 21-2008"),
    _ms("length", "指示表检定仪标准装置", "长度", "mm", [("0", "50")], "MPE: ±2 μm", "JJG 34-2022"),
    _ms("length", "坐标测量机校准装置", "长度", "mm", [("0", "1000")], "U=1.8 μm, k=2", "JJF 1064-2010"),
    _ms("length", "钢卷尺检定装置", "长度", "m", [("0", "50"), ("0", "100")], "U=0.1 mm, k=2", "JJG 4-2015"),
    _ms("length", "表面粗糙度比较样块校准装置", "轮廓算术平均偏差", "μm", [("0.012", "12.5")], "Urel=5%, k=2"),
    # 热学
    _ms("thermal", "二等铂电阻温度计标准装置", "温度", "℃", [("-60", "300"), ("0", "419.527")], "U=0.03 ℃, k=2",
        "JJG 229-2010"),
    _ms("thermal", "二等标准水银温度计标准装置", "温度", "℃", [("-30", "300")], "U=0.05 ℃, k=2", "JJG 161-2010"),
    _ms("thermal", "工作用热电偶检定装置", "温度", "℃", [("300", "1200")], "U=1.6 ℃, k=2", "JJF 1637-2017"),
    _ms("thermal", "温度二次仪表检定装置", "温度", "℃", [("-200", "1800")], "0.02级", "JJG 617-1996"),
    _ms("thermal", "环境试验设备温湿度校准装置", "温度", "℃", [("-70", "150")], "U=0.2 ℃, k=2", "JJF 1101-2019"),
    _ms("thermal", "湿度计校准装置", "相对湿度", "%RH", [("10", "95")], "U=1.5 %RH, k=2"),
    _ms("thermal", "工作用辐射温度计检定装置", "温度", "℃", [("50", "1000")], "U=1.0 ℃, k=2", "JJG 856-2015"),
    _ms("thermal", "玻璃体温计检定装置", "温度", "℃", [("35", "42")], "MPE: ±0.1 ℃", "JJG 111-2019"),
    # 力学
    _ms("mechanics", "0.05级活塞式压力计标准装置", "压力", "MPa", [("0.1", "60"), ("0.04", "6")], "0.05级",
        "JJG 59-2022"),
    _ms("mechanics", "0.02级活塞式压力计标准装置", "压力", "MPa", [("0.1", "6"), ("0.5", "25")], "0.02级",
        "JJG 59-2022"),
    _ms("mechanics", "精密压力表标准装置", "压力", "MPa", [("-0.1", "2.5"), ("0", "6"), ("0", "25"), ("0", "60")],
        "0.25级", "JJG 52-2013"),
    _ms("mechanics", "数字压力计标准装置", "压力", "kPa", [("-100", "250"), ("0", "6000"), ("100", "60000")],
        "0.02级", "JJG 875-2019"),
    _ms("mechanics", "E2等级砝码标准装置", "质量", "g", [("0.001", "500")], "E2等级", "JJG 99-2022"),
    _ms("mechanics", "F1等级砝码标准装置", "质量", "kg", [("0.001", "20")], "F1等级", "JJG 99-2022"),
    _ms("mechanics", "数字指示秤检定装置", "质量", "kg", [("0", "3000"), ("0", "60000")], "M1等级砝码", "JJG 539-2016"),
    _ms("mechanics", "0.3级标准测力仪标准装置", "力", "kN", [("1", "1000")], "0.3级", "JJG 139-2014"),
    _ms("mechanics", "0.1级标准测力仪标准装置", "力", "kN", [("0.5", "300")], "0.1级", "JJG 144-2007"),
    _ms("mechanics", "扭矩扳子检定装置", "扭矩", "N·m", [("1", "1000")], "U=0.5%, k=2", "JJG 707-2014"),
    _ms("mechanics", "洛氏硬度计检定装置", "洛氏硬度", "HRC", [("20", "70")], "U=0.5 HRC, k=2", "JJG 112-2013"),
    _ms("mechanics", "液体流量标准装置", "流量", "m³/h", [("0.01", "100")], "U=0.05%, k=2", "JJG 164-2000"),
    _ms("mechanics", "水表检定装置", "流量", "m³/h", [("0.001", "30")], "Urel=0.2%, k=2", "JJG 162-2019"),
    _ms("mechanics", "膜式燃气表检定装置", "流量", "m³/h", [("0.016", "16")], "U=0.3%, k=2", "JJG 577-2012"),
    # 电磁学
    _ms("electromagnetism", "数字多用表检定装置", "电压", "V", [("0", "1000")], "U=0.005%, k=2", "JJF 1587-2016"),
    _ms("electromagnetism", "0.01级直流电阻标准装置", "电阻", "Ω", [("0.001", "1000000")], "0.01级", "JJG 166-1993"),
    _ms("electromagnetism", "绝缘电阻表检定装置", "电阻", "MΩ", [("0", "10000")], "U=0.5%, k=2", "JJG 622-1997"),
    _ms("electromagnetism", "电子式交流电能表检定装置", "电压", "V", [("57.7", "380")], "0.05级", "JJG 596-2012"),
    _ms("electromagnetism", "钳形电流表校准装置", "电流", "A", [("0", "1000")], "U=0.1%, k=2", "JJF 1075-2015"),
    _ms("electromagnetism", "接地电阻表检定装置", "电阻", "Ω", [("0", "2000")], "0.1级", "JJG 366-2004"),
    _ms("electromagnetism", "交流功率表检定装置", "电流", "A", [("0.001", "20")], "0.05级"),
    # 无线电
    _ms("radio", "频谱分析仪校准装置", "频率", "MHz", [("0.009", "26500")], "U=0.3 dB, k=2", "JJF 1396-2013"),
    _ms("radio", "射频功率计校准装置", "功率", "mW", [("0.001", "100")], "Urel=1.5%, k=2"),
    _ms("radio", "信号发生器校准装置", "频率", "MHz", [("0.01", "6000")], "Urel=5×10⁻¹⁰, k=2"),
    _ms("radio", "衰减器校准装置", "衰减", "dB", [("0", "110")], "U=0.05 dB, k=2"),
    _ms("radio", "电磁兼容测量接收机校准装置", "频率", "MHz", [("0.009", "3000")], "U=0.8 dB, k=2"),
    _ms("radio", "数字示波器校准装置", "电压", "V", [("0.001", "200")], "U=0.25%, k=2"),
    # 时间频率
    _ms("time_frequency", "通用计数器检定装置", "频率", "MHz", [("0.00001", "3000")], "Urel=1×10⁻¹¹, k=2",
        "JJG 349-2014"),
    _ms("time_frequency", "秒表检定装置", "时间", "s", [("0", "86400")], "U=0.01 s, k=2", "JJG 237-2010"),
    _ms("time_frequency", "出租汽车计价器检定装置", "距离", "km", [("0", "100")], "MPE: ±0.2%", "JJG 517-2016"),
    _ms("time_frequency", "铷原子频率标准装置", "频率", "MHz", [("1", "10")], "Urel=5×10⁻¹², k=2", "JJG 292-2009"),
    _ms("time_frequency", "时间间隔测量仪校准装置", "时间间隔", "ms", [("0.00001", "1000")], "U=1 ns, k=2"),
    _ms("time_frequency", "机动车雷达测速仪检定装置", "速度", "km/h", [("20", "180")], "MPE: ±1 km/h", "JJG 527-2015"),
    # 光学
    _ms("optics", "照度计检定装置", "照度", "lx", [("1", "100000")], "Urel=2.0%, k=2", "JJG 245-2005"),
    _ms("optics", "亮度计校准装置", "亮度", "cd/m²", [("0.1", "30000")], "Urel=2.5%, k=2"),
    _ms("optics", "紫外可见分光光度计检定装置", "波长", "nm", [("190", "1100")], "U=0.2 nm, k=2", "JJG 178-2007"),
    _ms("optics", "焦度计检定装置", "顶焦度", "m⁻¹", [("-25", "25")], "U=0.01 m⁻¹, k=2", "JJG 580-2005"),
    _ms("optics", "激光功率计校准装置", "功率", "mW", [("0.01", "200")], "Urel=3%, k=2"),
    _ms("optics", "光泽度计检定装置", "光泽度", "", [], "U=0.5 GU, k=2"),
    # 声学
    _ms("acoustics", "声级计检定装置", "声压级", "dB", [("20", "140")], "U=0.3 dB, k=2", "JJG 188-2017"),
    _ms("acoustics", "声校准器检定装置", "声压级", "dB", [("94", "114")], "U=0.1 dB, k=2", "JJG 176-2022"),
    _ms("acoustics", "纯音听力计检定装置", "声压级", "dB", [("-10", "120")], "U=0.5 dB, k=2", "JJG 388-2012"),
    _ms("acoustics", "个人声暴露计检定装置", "声压级", "dB", [("70", "140")], "U=0.4 dB, k=2", "JJG 778-2005"),
    _ms("acoustics", "医用超声诊断仪超声源检定装置", "超声功率", "mW", [("1", "500")], "Urel=15%, k=2", "JJG 639-1998"),
    # 电离辐射
    _ms("ionizing_radiation", "治疗水平电离室剂量计检定装置", "水吸收剂量", "Gy", [("0.1", "10")], "Urel=2.0%, k=2",
        "JJG 912-2010"),
    _ms("ionizing_radiation", "X、γ辐射周围剂量当量率仪检定装置", "周围剂量当量率", "μSv/h", [("0.1", "10000")],
        "Urel=6%, k=2", "JJG 393-2018"),
    _ms("ionizing_radiation", "诊断水平剂量计校准装置", "空气比释动能", "mGy", [("0.01", "100")], "Urel=3.0%, k=2"),
    _ms("ionizing_radiation", "医用诊断X射线辐射源检定装置", "空气比释动能", "mGy", [("0.001", "10")], "Urel=5%, k=2",
        "JJG 744-2004"),
    _ms("ionizing_radiation", "放射性活度计检定装置", "活度", "MBq", [("0.1", "40000")], "Urel=4%, k=2",
        "JJG 377-2019"),
    _ms("ionizing_radiation", "γ射线空气比释动能标准装置", "空气比释动能", "Gy", [("0.00001", "1")], "Urel=3.5%, k=2"),
    # 物理化学
    _ms("physical_chemistry", "酸度计检定装置", "pH值", "pH", [("0", "14")], "U=0.01 pH, k=2", "JJG 119-2018"),
    _ms("physical_chemistry", "电导率仪检定装置", "电导率", "μS/cm", [("1", "100000")], "Urel=0.5%, k=2",
        "JJG 376-2007"),
    _ms("physical_chemistry", "气相色谱仪检定装置", "浓度", "", [], "Urel=3%, k=2", "JJG 700-2016"),
    _ms("physical_chemistry", "原子吸收分光光度计检定装置", "浓度", "", [], "Urel=2%, k=2", "JJG 694-2009"),
    _ms("physical_chemistry", "可燃气体检测报警器检定装置", "浓度", "μmol/mol", [("0", "50000")], "Urel=2%, k=2",
        "JJG 693-2011"),
    _ms("physical_chemistry", "呼出气体酒精含量检测仪检定装置", "浓度", "mg/L", [("0", "2")], "U=0.005 mg/L, k=2",
        "JJG 657-2019"),
    _ms("physical_chemistry", "一氧化碳检测报警器检定装置", "浓度", "μmol/mol", [("0", "1000")], "Urel=2%, k=2",
        "JJG 915-2008"),
    _ms("physical_chemistry", "浊度计检定装置", "浊度", "", [], "Urel=3%, k=2", "JJG 880-2006"),
)


class TestEntry(NamedTuple):
    """A test item: (product, parameter, method standard), grouped by domain."""
    domain: str
    category: str  # product category
    product: str
    parameter: str
    standards: str
    quantity: str = ""
    unit: str = ""
    range: tuple[str, str] | None = None


def _ti(domain, category, product, parameter, standards, quantity="", unit="", range_=None):
    return TestEntry(domain, category, product, parameter, standards, quantity, unit, range_)


TEST_ITEMS: tuple[TestEntry, ...] = (
    # 电线电缆
    _ti("cable", "电线电缆", "电线电缆", "导体直流电阻", "GB/T 3048.4-2007;GB/T 3956-2008", "电阻", "Ω",
        ("0.00001", "100")),
    _ti("cable", "电线电缆", "电线电缆", "绝缘电阻", "GB/T 3048.5-2007"),
    _ti("cable", "电线电缆", "电线电缆", "工频交流电压试验", "GB/T 3048.8-2007", "电压", "kV", ("0", "100")),
    _ti("cable", "电线电缆", "电线电缆", "绝缘和护套厚度", "GB/T 2951.11-2008", "长度", "mm", ("0.1", "30")),
    _ti("cable", "电线电缆", "电线电缆", "老化前后抗张强度和断裂伸长率", "GB/T 2951.11-2008"),
    _ti("cable", "电线电缆", "电线电缆", "单根绝缘电线电缆火焰垂直蔓延试验", "GB/T 18380.12-2022"),
    _ti("cable", "电线电缆", "聚氯乙烯绝缘电缆", "结构尺寸", "GB/T 5023.1-2008;GB/T 5023.2-2008"),
    _ti("cable", "电线电缆", "电力电缆", "局部放电试验", "GB/T 12706.2-2020;GB/T 3048.12-2007"),
    # 食品
    _ti("food", "食品", "食品", "水分", "GB 5009.3-2016"),
    _ti("food", "食品", "食品", "灰分", "GB 5009.4-2016"),
    _ti("food", "食品", "食品", "蛋白质", "GB 5009.5-2016"),
    _ti("food", "食品", "食品", "脂肪", "GB 5009.6-2016"),
    _ti("food", "食品", "食品", "铅", "GB 5009.12-2017", "含量", "mg/kg", ("0.005", "100")),
    _ti("food", "食品", "食品", "总砷及无机砷", "GB 5009.11-2014"),
    _ti("food", "食品", "食品", "镉", "GB 5009.15-2014", "含量", "mg/kg", ("0.001", "50")),
    _ti("food", "食品", "食品", "总汞及有机汞", "GB 5009.17-2021"),
    _ti("food", "食品", "食品", "黄曲霉毒素B族和G族", "GB 5009.22-2016"),
    _ti("food", "食品", "食品", "苯甲酸、山梨酸和糖精钠", "GB 5009.28-2016"),
    _ti("food", "食品", "食品", "亚硝酸盐与硝酸盐", "GB 5009.33-2016"),
    _ti("food", "食品", "食品", "二氧化硫", "GB 5009.34-2022"),
    _ti("food", "食品", "食用植物油", "酸价", "GB 5009.229-2016"),
    _ti("food", "食品", "食用植物油", "过氧化值", "GB 5009.227-2016"),
    _ti("food", "食品", "食品", "菌落总数", "GB 4789.2-2022"),
    _ti("food", "食品", "食品", "大肠菌群计数", "GB 4789.3-2016"),
    _ti("food", "食品", "食品", "沙门氏菌", "GB 4789.4-2016"),
    _ti("food", "食品", "蔬菜水果", "农药残留（208种）", "GB 23200.113-2018"),
    _ti("food", "食品", "茶叶", "农药残留（208种）", "GB 23200.113-2018"),
    _ti("food", "食品", "茶叶", "水分", "GB 5009.3-2016"),
    # 家用电器
    _ti("appliance", "家用电器", "家用和类似用途电器", "通用安全要求", "GB 4706.1-2005"),
    _ti("appliance", "家用电器", "家用和类似用途电器", "电磁骚扰（发射）", "GB 4343.1-2018", "频率", "MHz",
        ("0.15", "1000")),
    _ti("appliance", "家用电器", "家用和类似用途电器", "谐波电流发射", "GB 17625.1-2022"),
    _ti("appliance", "家用电器", "房间空气调节器", "能效", "GB 21455-2019"),
    _ti("appliance", "家用电器", "家用电冰箱", "耗电量", "GB 12021.2-2015"),
    _ti("appliance", "家用电器", "家用和类似用途电器", "噪声（声功率级）", "GB/T 4214.1-2017", "声功率级", "dB",
        ("20", "100")),
    _ti("appliance", "照明电器", "灯具", "一般安全要求", "GB 7000.1-2015"),
    _ti("appliance", "信息技术设备", "信息技术设备", "安全", "GB 4943.1-2022"),
    _ti("appliance", "家用电器", "电器外壳", "外壳防护等级（IP代码）", "GB/T 4208-2017"),
    # 环境与可靠性试验
    _ti("reliability", "电工电子产品", "电工电子产品", "低温试验", "GB/T 2423.1-2008", "温度", "℃", ("-70", "0")),
    _ti("reliability", "电工电子产品", "电工电子产品", "高温试验", "GB/T 2423.2-2008", "温度", "℃", ("30", "200")),
    _ti("reliability", "电工电子产品", "电工电子产品", "恒定湿热试验", "GB/T 2423.3-2016", "相对湿度", "%RH",
        ("20", "98")),
    _ti("reliability", "电工电子产品", "电工电子产品", "交变湿热试验", "GB/T 2423.4-2008"),
    _ti("reliability", "电工电子产品", "电工电子产品", "冲击试验", "GB/T 2423.5-2019"),
    _ti("reliability", "电工电子产品", "电工电子产品", "正弦振动试验", "GB/T 2423.10-2019", "频率", "Hz",
        ("5", "3000")),
    _ti("reliability", "电工电子产品", "电工电子产品", "盐雾试验", "GB/T 2423.17-2008"),
    _ti("reliability", "电工电子产品", "电工电子产品", "温度变化试验", "GB/T 2423.22-2012", "温度", "℃",
        ("-70", "180")),
    # 金属材料
    _ti("metal", "金属材料", "金属材料", "室温拉伸试验", "GB/T 228.1-2021", "力", "kN", ("0.1", "1000")),
    _ti("metal", "金属材料", "金属材料", "布氏硬度", "GB/T 231.1-2018"),
    _ti("metal", "金属材料", "金属材料", "洛氏硬度", "GB/T 230.1-2018", "洛氏硬度", "HRC", ("20", "70")),
    _ti("metal", "金属材料", "金属材料", "维氏硬度", "GB/T 4340.1-2009", "维氏硬度", "HV", ("5", "1500")),
    _ti("metal", "金属材料", "金属材料", "夏比摆锤冲击试验", "GB/T 229-2020", "冲击吸收能量", "J", ("1", "450")),
    _ti("metal", "金属材料", "金属材料", "弯曲试验", "GB/T 232-2010"),
    _ti("metal", "金属材料", "碳素钢和中低合金钢", "化学成分（火花放电原子发射光谱法）", "GB/T 4336-2016"),
    _ti("metal", "金属材料", "热轧带肋钢筋", "力学性能", "GB/T 1499.2-2018;GB/T 228.1-2021"),
    _ti("metal", "金属材料", "金属材料", "中性盐雾试验", "GB/T 10125-2021"),
    _ti("metal", "金属材料", "钢", "显微组织检验", "GB/T 13298-2015"),
    # 建筑材料
    _ti("building", "建筑材料", "水泥", "胶砂强度", "GB/T 17671-2021", "抗压强度", "MPa", ("0", "100")),
    _ti("building", "建筑材料", "混凝土", "抗压强度", "GB/T 50081-2019", "抗压强度", "MPa", ("0", "100")),
    _ti("building", "建筑材料", "建筑材料及制品", "燃烧性能分级", "GB 8624-2012"),
    _ti("building", "建筑材料", "建筑材料", "放射性核素限量", "GB 6566-2010"),
    _ti("building", "建筑材料", "人造板及其制品", "甲醛释放量", "GB/T 17657-2022;GB/T 39600-2021"),
    _ti("building", "建筑材料", "建筑外门窗", "气密、水密、抗风压性能", "GB/T 7106-2019", "压力", "Pa", ("0", "5000")),
    _ti("building", "建筑材料", "绝热材料", "导热系数（防护热板法）", "GB/T 10294-2008"),
    # 纺织服装
    _ti("textile", "纺织服装", "纺织品", "甲醛含量", "GB/T 2912.1-2009"),
    _ti("textile", "纺织服装", "纺织品", "水萃取液pH值", "GB/T 7573-2009", "pH值", "pH", ("1", "14")),
    _ti("textile", "纺织服装", "纺织品", "耐摩擦色牢度", "GB/T 3920-2008"),
    _ti("textile", "纺织服装", "纺织品", "可分解致癌芳香胺染料", "GB/T 17592-2011"),
    _ti("textile", "纺织服装", "纺织品", "断裂强力（条样法）", "GB/T 3923.1-2013", "力", "N", ("0", "5000")),
    _ti("textile", "纺织服装", "纺织产品", "基本安全技术要求", "GB 18401-2010"),
    _ti("textile", "纺织服装", "丝绸制品", "纤维含量", "GB/T 2910.11-2009"),
    # 环境监测
    _ti("environment", "环境监测", "水质", "化学需氧量", "HJ 828-2017"),
    _ti("environment", "环境监测", "水质", "氨氮", "HJ 535-2009", "浓度", "mg/L", ("0.025", "2")),
    _ti("environment", "环境监测", "水质", "总磷", "GB 11893-1989"),
    _ti("environment", "环境监测", "生活饮用水", "感官性状和物理指标", "GB/T 5750.4-2023"),
    _ti("environment", "环境监测", "工业企业厂界", "环境噪声", "GB 12348-2008", "声压级", "dB", ("30", "130")),
    _ti("environment", "环境监测", "环境空气", "PM2.5", "HJ 618-2011"),
    _ti("environment", "环境监测", "土壤和沉积物", "12种金属元素", "HJ 803-2016"),
    # 医疗器械
    _ti("medical", "医疗器械", "医用电气设备", "基本安全和基本性能", "GB 9706.1-2020"),
    _ti("medical", "医疗器械", "医疗器械", "细胞毒性试验", "GB/T 16886.5-2017"),
    _ti("medical", "医疗器械", "一次性使用医用口罩", "细菌过滤效率", "YY/T 0969-2013"),
    _ti("medical", "医疗器械", "医用外科口罩", "合成血液穿透", "YY 0469-2011"),
    # 电磁兼容
    _ti("emc", "电磁兼容", "电气电子产品", "静电放电抗扰度", "GB/T 17626.2-2018", "电压", "kV", ("2", "30")),
    _ti("emc", "电磁兼容", "电气电子产品", "射频电磁场辐射抗扰度", "GB/T 17626.3-2016", "频率", "MHz", ("80", "6000")),
    _ti("emc", "电磁兼容", "电气电子产品", "电快速瞬变脉冲群抗扰度", "GB/T 17626.4-2018"),
    _ti("emc", "电磁兼容", "电气电子产品", "浪涌（冲击）抗扰度", "GB/T 17626.5-2019"),
    _ti("emc", "电磁兼容", "信息技术设备", "辐射骚扰", "GB/T 9254.1-2021", "频率", "MHz", ("30", "6000")),
    # 新能源与汽车
    _ti("battery", "新能源汽车", "电动汽车用动力蓄电池", "安全要求", "GB 38031-2020"),
    _ti("battery", "电池", "便携式电子产品用锂离子电池", "安全技术规范", "GB 31241-2022"),
    _ti("battery", "汽车零部件", "汽车内饰材料", "燃烧特性", "GB 8410-2006"),
    # 玩具与食品接触材料
    _ti("consumer", "玩具", "玩具", "机械与物理性能", "GB 6675.2-2014"),
    _ti("consumer", "玩具", "玩具", "特定元素的迁移", "GB 6675.4-2014"),
    _ti("consumer", "食品接触材料", "食品接触材料及制品", "总迁移量", "GB 31604.8-2021;GB 31604.1-2023"),
    _ti("consumer", "食品接触材料", "食品接触用塑料", "高锰酸钾消耗量", "GB 31604.2-2016"),
    # 承压设备无损检测 (inspection bodies)
    _ti("ndt", "承压设备", "承压设备", "射线检测", "NB/T 47013.2-2015"),
    _ti("ndt", "承压设备", "承压设备", "超声检测", "NB/T 47013.3-2015"),
    _ti("ndt", "承压设备", "承压设备", "磁粉检测", "NB/T 47013.4-2015"),
    _ti("ndt", "承压设备", "承压设备", "渗透检测", "NB/T 47013.5-2015"),
    # what metrology institutes test besides calibrating
    _ti("metrology", "定量包装商品", "定量包装商品", "净含量", "JJF 1070-2023", "质量", "g", ("5", "50000")),
    _ti("metrology", "能效标识", "电动机", "能效", "GB 18613-2020"),
)

# domain -> (Chinese word for facility names, English word, key fields)
TEST_DOMAINS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "cable": ("电线电缆", "Wire and Cable", ("新材料", "高端装备")),
    "food": ("食品", "Food", ("食品安全", "生物医药")),
    "appliance": ("家用电器", "Household Appliance", ("数字经济", "智能制造")),
    "reliability": ("环境可靠性", "Environmental Reliability", ("高端装备", "集成电路", "航空航天")),
    "metal": ("金属材料", "Metallic Materials", ("新材料", "高端装备")),
    "building": ("建筑材料", "Building Materials", ("节能环保", "新材料")),
    "textile": ("纺织服装", "Textile and Apparel", ("时尚产业", "新材料")),
    "environment": ("环境", "Environmental", ("节能环保",)),
    "medical": ("医疗器械", "Medical Device", ("生物医药",)),
    "emc": ("电磁兼容", "EMC", ("数字经济", "集成电路", "人工智能")),
    "battery": ("新能源电池", "New Energy Battery", ("新能源汽车", "新材料")),
    "consumer": ("消费品", "Consumer Product", ("时尚产业", "智能制造")),
    "ndt": ("特种设备", "Special Equipment", ("高端装备",)),
}
INSPECTION_DOMAINS = ("ndt",)  # accredited as inspection bodies (CNAS IB....)


class SchemeEntry(NamedTuple):
    """A certification scheme; `subjects` are products or, for management systems, IAF sectors."""
    key: str
    category: str  # the scheme, as the capability's category
    name: str  # name prefix of the certification scope
    standards: str
    subjects: tuple[str, ...]
    product_scheme: bool  # CNAS C...-P rather than C...-M


IAF_SECTORS = (
    "IAF 01 农业、林业和渔业", "IAF 03 食品、饮料和烟草", "IAF 04 纺织品及纺织产品", "IAF 06 木材及木制品",
    "IAF 07 纸浆、纸及纸制品", "IAF 12 化学品、化学制品及纤维", "IAF 13 医药品", "IAF 14 橡胶和塑料制品",
    "IAF 16 混凝土、水泥、石灰、石膏等", "IAF 17 基础金属及金属制品", "IAF 18 机械及设备",
    "IAF 19 电气和光学设备", "IAF 22 其他运输设备", "IAF 28 建设", "IAF 29 批发及零售",
    "IAF 31 运输、仓储和通讯", "IAF 33 信息技术", "IAF 34 工程服务", "IAF 35 其他服务",
    "IAF 38 卫生保健与社会公益事业",
)

SCHEMES: tuple[SchemeEntry, ...] = (
    SchemeEntry("iso9001", "ISO 9001 质量管理体系认证", "质量管理体系认证 ISO 9001",
                "GB/T 19001-2016;ISO 9001:2015", IAF_SECTORS, False),
    SchemeEntry("iso14001", "ISO 14001 环境管理体系认证", "环境管理体系认证 ISO 14001",
                "GB/T 24001-2016;ISO 14001:2015", IAF_SECTORS, False),
    SchemeEntry("iso45001", "ISO 45001 职业健康安全管理体系认证", "职业健康安全管理体系认证 ISO 45001",
                "GB/T 45001-2020;ISO 45001:2018", IAF_SECTORS, False),
    SchemeEntry("iso27001", "ISO/IEC 27001 信息安全管理体系认证", "信息安全管理体系认证 ISO/IEC 27001",
                "ISO/IEC 27001:2022", ("IAF 33 信息技术", "IAF 35 其他服务", "IAF 31 运输、仓储和通讯"), False),
    SchemeEntry("iso50001", "ISO 50001 能源管理体系认证", "能源管理体系认证 ISO 50001",
                "GB/T 23331-2020;ISO 50001:2018", ("IAF 12 化学品、化学制品及纤维", "IAF 16 混凝土、水泥、石灰、石膏等",
                                                   "IAF 17 基础金属及金属制品", "IAF 04 纺织品及纺织产品"), False),
    SchemeEntry("iso22000", "ISO 22000 食品安全管理体系认证", "食品安全管理体系认证 ISO 22000",
                "ISO 22000:2018", ("IAF 03 食品、饮料和烟草",), False),
    SchemeEntry("haccp", "HACCP 危害分析与关键控制点体系认证", "危害分析与关键控制点（HACCP）体系认证",
                "GB/T 27341-2009", ("IAF 03 食品、饮料和烟草",), False),
    SchemeEntry("iso13485", "ISO 13485 医疗器械质量管理体系认证", "医疗器械质量管理体系认证 ISO 13485",
                "YY/T 0287-2017;ISO 13485:2016", ("IAF 19 电气和光学设备", "IAF 14 橡胶和塑料制品", "IAF 13 医药品"),
                False),
    SchemeEntry("iatf16949", "IATF 16949 汽车质量管理体系认证", "汽车质量管理体系认证 IATF 16949",
                "IATF 16949:2016", ("IAF 22 其他运输设备", "IAF 17 基础金属及金属制品", "IAF 14 橡胶和塑料制品"),
                False),
    SchemeEntry("ccc", "CCC 强制性产品认证", "强制性产品认证",
                "", ("电线电缆", "家用和类似用途设备", "照明电器", "信息技术设备", "玩具", "电动自行车", "低压电器"),
                True),
    SchemeEntry("zhejiang_made", "品字标浙江制造认证", "“品字标浙江制造”认证",
                "", ("电机", "阀门", "紧固件", "丝绸面料", "厨房电器", "汽车零部件", "五金工具"), True),
    SchemeEntry("green", "绿色产品认证", "绿色产品认证",
                "GB/T 33761-2017", ("人造板和木质地板", "涂料", "卫生陶瓷", "家具", "纺织产品", "纸和纸制品"), True),
    SchemeEntry("organic", "有机产品认证", "有机产品认证",
                "GB/T 19630-2019", ("茶叶", "蔬菜", "大米", "水果", "食用菌"), True),
    SchemeEntry("after_sales", "商品售后服务评价认证", "商品售后服务评价认证",
                "GB/T 27922-2011", ("家用电器", "汽车", "家具", "电子产品"), False),
)

# Product standards that the CCC and green-product scopes cite for their subject.
SUBJECT_STANDARDS = {
    ("ccc", "电线电缆"): "GB/T 5023.1-2008",
    ("ccc", "家用和类似用途设备"): "GB 4706.1-2005",
    ("ccc", "照明电器"): "GB 7000.1-2015",
    ("ccc", "信息技术设备"): "GB 4943.1-2022",
    ("ccc", "玩具"): "GB 6675.1-2014",
    ("ccc", "电动自行车"): "GB 17761-2018",
    ("green", "人造板和木质地板"): "GB/T 35601-2017",
    ("green", "涂料"): "GB/T 35602-2017",
    ("green", "卫生陶瓷"): "GB/T 35603-2017",
    ("green", "家具"): "GB/T 35607-2017",
    ("green", "纺织产品"): "GB/T 35611-2017",
    ("green", "纸和纸制品"): "GB/T 35613-2017",
}

# The three needs of DESIGN.md's users that the demo must answer (tests check them).
ANCHOR_PRESSURE = next(e for e in MEASUREMENT_STANDARDS if e.name == "0.05级活塞式压力计标准装置")
ANCHOR_PRESSURE_RANGE = ("0.1", "60")  # MPa: covers the 50 MPa gauge of a 萧山 factory
ANCHOR_CABLE = next(e for e in TEST_ITEMS if e.parameter == "导体直流电阻")  # GB/T 3048.4-2007
ANCHOR_ISO9001 = next(s for s in SCHEMES if s.key == "iso9001")
ANCHOR_CABLE_DISTRICTS = ("330109", "330113", "330111", "330110")  # cable makers: 萧山, 临平, 富阳, 余杭
