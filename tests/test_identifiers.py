"""Tests for registry.identifiers: USCC, CMA, CNAS, CNCA and standard numbers."""
from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from registry.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    make_uscc,
    normalize_cma,
    normalize_cnas,
    normalize_cnca,
    normalize_standard_code,
    normalize_uscc,
    split_standards,
    standard_key_matches,
    standard_search_key,
)

VALID_USCC = [
    line.strip()
    for line in (Path(__file__).parent / "data" / "uscc_valid.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def reason_of(func, value):
    with pytest.raises(IdentifierError) as info:
        func(value)
    assert str(info.value)  # an English message for logs
    return info.value.reason


# --- USCC --------------------------------------------------------------------

def test_fixture_is_loaded():
    assert len(VALID_USCC) == 383
    assert len(set(VALID_USCC)) == len(VALID_USCC)


def test_every_fixture_code_is_valid():
    assert [c for c in VALID_USCC if normalize_uscc(c) != c] == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91620105l015101280", "91620105L015101280"),  # lower case accepted, stored upper
        ("  91110000600037341l ", "91110000600037341L"),
        ("91 110000 600037341L", "91110000600037341L"),
        ("91-110000-600037341L", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),  # full-width
        ("\u300091110000600037341L\u3000", "91110000600037341L"),
        ("91620105L015101280", "91620105L015101280"),  # organisation code starting with a letter
    ],
)
def test_uscc_normalisation(raw, expected):
    assert normalize_uscc(raw) == expected


def test_every_single_character_change_is_rejected():
    """The mod-31 final check catches any one substitution, in any position."""
    for code in VALID_USCC:
        for i, original in enumerate(code):
            for c in USCC_ALPHABET:
                if c != original:
                    changed = code[:i] + c + code[i + 1:]
                    assert reason_of(normalize_uscc, changed) == "uscc.check", changed


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [0, 1, 5, 10, 16, 17])
def test_forbidden_letters(letter, position):
    code = "91110000600037341L"
    assert reason_of(normalize_uscc, code[:position] + letter + code[position + 1:]) == "uscc.charset"


@pytest.mark.parametrize(
    "bad", ["9111000060003IOZSV", "91110000600037341*", "911100006000373é1L", "91110000600037341Ω"])
def test_charset(bad):
    assert reason_of(normalize_uscc, bad) == "uscc.charset"


@pytest.mark.parametrize("bad", ["", "   ", "12345", "91110000600037341", "91110000600037341LL", "9" * 36])
def test_length(bad):
    assert reason_of(normalize_uscc, bad) == "uscc.length"


def with_bad_org_check(code):
    """`code` with a wrong GB 11714 character but a recomputed, correct final one."""
    wrong = "1" if code[16] != "1" else "2"
    first17 = code[:16] + wrong
    return first17 + stdnum_uscc.calc_check_digit(first17)


def test_wrong_org_check_is_rejected_although_stdnum_accepts_it():
    for code in VALID_USCC:
        bad = with_bad_org_check(code)
        assert stdnum_uscc.is_valid(bad), bad  # why we do not rely on python-stdnum
        assert reason_of(normalize_uscc, bad) == "uscc.org_check", bad


def test_wrong_final_check():
    assert reason_of(normalize_uscc, "91110000600037341N") == "uscc.check"


def test_org_check_x_and_zero():
    # 'X' stands for 10 and '0' for 11 in the GB 11714 check.
    assert normalize_uscc("91152201078371135X") == "91152201078371135X"
    assert any(c[16] == "X" for c in VALID_USCC) and any(c[16] == "0" for c in VALID_USCC)


# --- make_uscc -------------------------------------------------------------------

def test_make_uscc_rebuilds_every_fixture_code():
    assert [c for c in VALID_USCC if make_uscc(c[:8], c[8:16]) != c] == []


@pytest.mark.parametrize(
    "prefix, body",
    [
        ("91330103", "MA2AB3CD"),  # old Hangzhou division code 330103 stays valid
        ("91330106", "7A4B5C6D"),
        ("N2330110", "MA27XY12"),  # department N (rural collectives): stdnum rejects these
        ("Y1330100", "00000000"),
        ("A1330100", "ABCDEFGH"),
        ("91330108", "ma2kl0p1"),  # lower case accepted
    ],
)
def test_make_uscc_output_is_valid(prefix, body):
    code = make_uscc(prefix, body)
    assert len(code) == 18 and code[:16] == (prefix + body).upper()
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code


def test_letter_departments_valid_here_but_not_in_stdnum():
    code = make_uscc("N2330110", "MA27XY12")
    assert normalize_uscc(code) == code
    assert not stdnum_uscc.is_valid(code)


@pytest.mark.parametrize(
    "prefix, body, reason",
    [
        ("9133010", "MA2AB3CD", "uscc.length"),
        ("91330103", "MA2AB3C", "uscc.length"),
        ("91330103", "MA2AB3CO", "uscc.charset"),
        ("9133010I", "MA2AB3CD", "uscc.charset"),
    ],
)
def test_make_uscc_rejects_bad_parts(prefix, body, reason):
    with pytest.raises(IdentifierError) as info:
        make_uscc(prefix, body)
    assert info.value.reason == reason


def test_non_text_is_a_type_error():
    with pytest.raises(TypeError):
        normalize_uscc(None)


# --- CMA -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("161112050567", "161112050567"),
        (" 1611 1205 0567 ", "161112050567"),
        ("１６１１１２０５０５６７", "161112050567"),
        (161112050567, "161112050567"),
    ],
)
def test_cma_valid(raw, expected):
    assert normalize_cma(raw) == expected


@pytest.mark.parametrize(
    "bad", ["", "16111205056", "1611120505678", "16111205056A", "1611-1205-0567", "CMA161112050567"])
def test_cma_invalid(bad):
    assert reason_of(normalize_cma, bad) == "cma.format"


# --- CNAS ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CNAS L1234", "CNAS L1234"),
        ("cnasl1234", "CNAS L1234"),
        ("CNAS  L1234", "CNAS L1234"),
        ("L1234", "CNAS L1234"),
        ("ＣＮＡＳ　Ｌ１２３４", "CNAS L1234"),
        ("CNAS-L1234", "CNAS L1234"),
        ("CNAS L12345", "CNAS L12345"),
        ("cnas ib0123", "CNAS IB0123"),
        ("CNAS IB 0123", "CNAS IB0123"),
        ("CNAS C012-M", "CNAS C012-M"),
        ("cnas c012-m", "CNAS C012-M"),
        ("CNAS C001－P", "CNAS C001-P"),
        ("CNAS C001–P", "CNAS C001-P"),  # en dash
        ("C012M", "CNAS C012-M"),
        ("CNAS C123 - S", "CNAS C123-S"),
        ("CNAS ML0001", "CNAS ML0001"),
        ("CNAS RM0012", "CNAS RM0012"),
        ("CNAS PT0034", "CNAS PT0034"),
        ("CNAS BB0001", "CNAS BB0001"),
    ],
)
def test_cnas_valid(raw, expected):
    assert normalize_cnas(raw) == expected
    assert normalize_cnas(expected) == expected


@pytest.mark.parametrize(
    "bad",
    ["", "CNAS", "CNAS L123", "CNAS L123456", "CNAS X1234", "CNAS IB012", "CNAS C12-M", "CNAS C012-",
     "CNAS C012-MPX", "CNAS-CL01", "CNAL L0001", "1234", "CNAS L12.34"],
)
def test_cnas_invalid(bad):
    assert reason_of(normalize_cnas, bad) == "cnas.format"


# --- CNCA ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CNCA-R-2002-001", "CNCA-R-2002-001"),
        ("cnca-r-2002-001", "CNCA-R-2002-001"),
        ("CNCA R 2002 001", "CNCA-R-2002-001"),
        ("CNCA—R—2002—001", "CNCA-R-2002-001"),  # em dash
        ("CNCA–R–2002–001", "CNCA-R-2002-001"),  # en dash
        ("CNCA_R_2002_001", "CNCA-R-2002-001"),
        ("CNCA - R - 2002 - 001", "CNCA-R-2002-001"),
        ("ＣＮＣＡ－Ｒ－２００２－００１", "CNCA-R-2002-001"),
        ("CNCA-RF-2002-07", "CNCA-RF-2002-07"),
        ("cnca-rf-2003-27", "CNCA-RF-2003-27"),
        ("CNCA-R-2017-293", "CNCA-R-2017-293"),
        ("CNCA-R-2023-1001", "CNCA-R-2023-1001"),
    ],
)
def test_cnca_valid(raw, expected):
    assert normalize_cnca(raw) == expected
    assert normalize_cnca(expected) == expected


@pytest.mark.parametrize(
    "bad",
    ["", "CNCA", "CNCA-R-1989-001", "CNCA-R-2101-001", "CNCA-X-2002-001", "CNCA-R-02-001", "CNCA-R-2002-1",
     "CNCA-R-2002-00001", "CNCAR2002001", "CNAS-R-2002-001", "CNCA-R-2002-001A"],
)
def test_cnca_invalid(bad):
    assert reason_of(normalize_cnca, bad) == "cnca.format"


# --- Standard numbers --------------------------------------------------------------

STANDARDS = [
    ("GB/T 3048.4-2007", "GB/T 3048.4-2007"),
    ("GB/T3048.4-2007", "GB/T 3048.4-2007"),
    ("gb/t 3048.4", "GB/T 3048.4"),
    ("ＧＢ／Ｔ　３０４８．４", "GB/T 3048.4"),
    ("GB / T  3048.4 — 2007", "GB/T 3048.4-2007"),
    ("GB/T 3048.4－2007", "GB/T 3048.4-2007"),
    ("GB 4706.1-2005", "GB 4706.1-2005"),
    ("GB4706.1-2005", "GB 4706.1-2005"),
    ("JJG 52-2013", "JJG 52-2013"),
    ("JJG 52—2013", "JJG 52-2013"),
    ("jjf1033-2023", "JJF 1033-2023"),
    ("ISO 9001:2015", "ISO 9001:2015"),
    ("ISO 9001 : 2015", "ISO 9001:2015"),
    ("ISO 9001：2015", "ISO 9001:2015"),
    ("ISO/IEC 17025", "ISO/IEC 17025"),
    ("iso/iec17025:2017", "ISO/IEC 17025:2017"),
    ("DB33/T 1234-2020", "DB33/T 1234-2020"),
    ("DB33/T1234-2020", "DB33/T 1234-2020"),
    ("DB3301/T 0123-2020", "DB3301/T 0123-2020"),
    ("DB33/ 1234-2020", "DB33/ 1234-2020"),  # mandatory local standard, as officially written
    ("DB33/1234-2020", "DB33/ 1234-2020"),
    ("HJ 637-2018", "HJ 637-2018"),
    ("QB/T 1234-2010", "QB/T 1234-2010"),
    ("IEC 60335-1:2010", "IEC 60335-1:2010"),
    ("IEC60335-1:2010", "IEC 60335-1:2010"),
    ("ASTM D638-14", "ASTM D638-14"),
    ("astm  d638-14", "ASTM D638-14"),
    ("GB/Z 1234", "GB/Z 1234"),
    ("T/ZZB 0001-2016", "T/ZZB 0001-2016"),
    ("T/ZZB0001-2016", "T/ZZB 0001-2016"),
    ("GBZ 2.1-2019", "GBZ 2.1-2019"),
    ("GB/T 19001-2016/ISO 9001:2015", "GB/T 19001-2016/ISO 9001:2015"),
    ("ISO 9001:2015/Amd 1:2024", "ISO 9001:2015/AMD 1:2024"),
]


@pytest.mark.parametrize("raw, expected", STANDARDS)
def test_standard_code(raw, expected):
    assert normalize_standard_code(raw) == expected


@pytest.mark.parametrize("code", sorted({e for _, e in STANDARDS}))
def test_standard_code_is_idempotent(code):
    assert normalize_standard_code(code) == code


@pytest.mark.parametrize(
    "bad",
    ["", "  ", "3048.4-2007", "GB/T", "ISO", "JJG 52-2013《弹性元件式一般压力表》", "GB 5749-2022 表1",
     "企业标准", "GB/T 3048.4-2007; JJG 52-2013", "GB/T 3048" + ".1" * 40],
)
def test_standard_code_invalid(bad):
    assert reason_of(normalize_standard_code, bad) == "standard.format"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("GB/T 3048.4-2007", ["GB/T 3048.4-2007"]),
        ("GB/T 3048.4-2007；JJG 52—2013; ;gb/t3048.4-2007", ["GB/T 3048.4-2007", "JJG 52-2013"]),
        ("ISO 9001:2015、ISO/IEC 17025:2017", ["ISO 9001:2015", "ISO/IEC 17025:2017"]),
        ("GB 4706.1-2005, GB 4706.2-2007，GB 4706.3-2008", ["GB 4706.1-2005", "GB 4706.2-2007", "GB 4706.3-2008"]),
        ("JJG 52-2013\nJJF 1033-2023\r\n", ["JJG 52-2013", "JJF 1033-2023"]),
        ("", []),
        (" ; ；  ", []),
    ],
)
def test_split_standards(text, expected):
    assert split_standards(text) == expected


def test_split_standards_reports_the_bad_item():
    with pytest.raises(IdentifierError) as info:
        split_standards("GB/T 3048.4-2007; 见附件")
    assert info.value.reason == "standard.format"
    assert "见附件" in str(info.value)


@pytest.mark.parametrize(
    "raw, key",
    [
        ("GB/T 3048.4-2007", "GB/T3048.4-2007"),
        ("GB/T3048.4", "GB/T3048.4"),
        ("gb/t 3048.4", "GB/T3048.4"),
        ("ＧＢ／Ｔ　３０４８．４", "GB/T3048.4"),
        ("GB/T 3048.4—2007", "GB/T3048.4-2007"),
        ("ISO 9001:2015", "ISO9001:2015"),
        ("100%_GB", "100GB"),  # LIKE wildcards never survive
        ("电线电缆", ""),
    ],
)
def test_standard_search_key(raw, key):
    assert standard_search_key(raw) == key


@pytest.mark.parametrize(
    "query, code, matches",
    [
        ("GB/T3048.4", "GB/T 3048.4-2007", True),
        ("gb/t 3048.4", "GB/T 3048.4-2007", True),
        ("GB/T 3048.4-2007", "GB/T 3048.4-2007", True),
        ("GB/T3048", "GB/T 3048.4-2007", True),
        ("GB/T", "GB/T 3048.4-2007", True),
        ("GB", "GB/T 3048.4-2007", True),
        ("GB", "GB 4706.1-2005", True),
        ("GB/T3048.4", "GB/T 3048.41-2010", False),
        ("GB/T304", "GB/T 3048.4-2007", False),
        ("GB", "GBZ 2.1-2019", False),
        ("JJG", "GB/T 3048.4-2007", False),
        ("电线", "GB/T 3048.4-2007", False),
    ],
)
def test_standard_key_matches(query, code, matches):
    stored = standard_search_key(normalize_standard_code(code))
    assert standard_key_matches(standard_search_key(query), stored) is matches
