"""The typed items a scope file is read into and written from.

Frozen dataclasses, so that read -> write -> read can be compared with `==`:
where an item came from (sheet, row) is kept but left out of the comparison.
Numbers are `Decimal`, so that `0.001` stays `0.001` and a written file reads
back exactly. Cells the reader understood are typed; a cell it did not
understand is kept verbatim in `ScopeItem.verbatim` (and reported).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from registry.services.records.scopes.messages import describe, reason_text

LAYOUTS = ("cnas-testing", "cnas-calibration", "cma", "standards")
SERVICES = ("testing", "calibration", "verification", "inspection")
UNCERTAINTY_KINDS = ("absolute", "relative", "class", "mpe", "formula", "text")
LIMITATION_KINDS = ("only", "except", "other")


@dataclass(frozen=True)
class Method:
    """One line of a standards cell: a standard (normalised number, title, clause) or a non-standard text."""

    standard: str = ""  # 'GB 5009.3-2016', as registry.identifiers.normalize_standard_code writes it
    title: str = ""  # 食品中水分的测定 (without 《》)
    clause: str = ""  # 第一法, 5.2条, 第一法、第二法
    text: str = ""  # a non-standard method as written: 作业指导书 XX/ZY-012-2020

    @property
    def nonstandard(self) -> bool:
        return not self.standard


@dataclass(frozen=True)
class Limitation:
    """限制范围: `only` (只测…), `except` (不测…) or `other` (a range, a condition); `text` as written."""

    kind: str
    text: str


@dataclass(frozen=True)
class Uncertainty:
    """An uncertainty, accuracy class or MPE; `text` is the cell as written (kept for formulas and unknown forms).

    kind: absolute (U=0.3 ℃), relative (Urel=0.1 %, U=0.05 %), class (0.05级, E2等级), mpe (MPE: ±0.02 mm),
    formula (U=(0.1+0.02L) μm, L: m) or text (a form the reader does not know, with a warning).
    """

    kind: str
    value: Decimal | None = None
    unit: str = ""
    k: Decimal | None = None
    text: str = ""


@dataclass(frozen=True)
class RangeSegment:
    """A measurement range: min and/or max in `unit` (a min written in another unit keeps it in `min_unit`)."""

    min: Decimal | None = None
    max: Decimal | None = None
    unit: str = ""
    min_unit: str = ""  # only when the lower end is written in another unit: 10 Hz～1 GHz
    text: str = ""  # the range as written
    uncertainty: Uncertainty | None = None


@dataclass(frozen=True)
class ScopeItem:
    """One capability of a scope: an object's parameter (or a measurement standard) with its methods."""

    layout: str
    object: str  # 检测对象 / 测量仪器名称 / 类别 / 计量标准名称
    parameter: str = ""  # 项目/参数, 被测量
    seq: str = ""  # 序号 as written: 1, 1.1
    methods: tuple[Method, ...] = ()
    limitation: Limitation | None = None
    remarks: str = ""  # 说明
    status: str = "active"  # suspended when 说明 says 暂停
    field_code: str = ""  # CNAS 领域代码
    service: str = "testing"
    ranges: tuple[RangeSegment, ...] = ()
    certificate_no: str = ""  # 计量标准考核证书: [2021]浙量标杭证字第058号
    valid_until: dt.date | None = None
    public_standard: bool = False  # 社会公用计量标准
    price: Decimal | None = None
    price_on_request: bool = False  # 面议
    verbatim: tuple[tuple[str, str], ...] = ()  # (column label, cell text) the reader did not understand
    sheet: str = field(default="", compare=False)
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Problem:
    """Something wrong or doubtful in a file, named by sheet, row, column and the cell's text.

    `reason` is stable (see messages.REASONS) and maps to a Chinese or English message.
    """

    level: str  # 'error' | 'warning'
    reason: str
    sheet: str
    row: int | None = None
    column: str = ""  # 'E (检测标准（方法）名称及编号（含年号）)'
    text: str = ""
    detail: str = ""

    def message(self, language: str = "zh") -> str:
        return describe(self, language)

    def reason_text(self, language: str = "zh") -> str:
        return reason_text(self, language)
