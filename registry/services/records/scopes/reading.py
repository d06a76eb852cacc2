"""Read one facility's scope file (XLSX or CSV) into ScopeItems, streaming.

    scope = open_scope(path)              # detects each sheet's layout from its header, or refuses
    for item in scope.items(): ...        # items one by one, sheet after sheet
    scope.problems                        # warnings so far (sheet, row, column, cell text)

`read_scope(path)` does both and returns a list. Rows are assembled into items:
a row starts an item when it writes its own 序号 or parameter; a row whose
序号 and parameter are merged from above (or left blank) continues the item
above with another range segment (or method). Objects and categories merged
over many rows, or written once and left blank below, carry down.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from registry.services.records.scopes import cells
from registry.services.records.scopes.items import LAYOUTS, Problem, ScopeItem
from registry.services.records.scopes.layouts import (
    SheetLayout,
    find_header,
    header_text,
    normal,
    sheet_layout,
)
from registry.services.records.scopes.source import Sheet, open_sheets, refuse

_SEQ = re.compile(r"\d+(?:\.\d+)*\.?")


@dataclass
class ScopeFile:
    """An opened scope: the layout of each scope sheet, and its items on demand."""

    label: str
    sheets: list[tuple[Sheet, SheetLayout]]
    problems: list[Problem] = field(default_factory=list)

    @property
    def layouts(self) -> dict[str, str]:
        return {sheet.name: layout.layout for sheet, layout in self.sheets}

    def items(self) -> Iterator[ScopeItem]:
        for sheet, layout in self.sheets:
            yield from _SheetReader(layout, self.problems).items(sheet.rows())


@dataclass
class ScopeRead:
    items: list[ScopeItem]
    problems: list[Problem]
    layouts: dict[str, str]


def open_scope(path: Path, layout: str | None = None, encoding: str | None = None,
               label: str | None = None) -> ScopeFile:
    """Open `path`, recognise every scope sheet's layout (or check the one given); refuse an unknown one."""
    path = Path(path)
    label = label or path.name
    if layout is not None and layout not in LAYOUTS:
        raise refuse("layout.unknown_name", label, text=layout, detail=", ".join(LAYOUTS))
    found, problems, refusal, headless = [], [], None, None  # a sheet with a header row tells more than a cover
    for sheet in open_sheets(path, encoding, label):
        header, seen = find_header(sheet.rows())
        if not header:
            shown = " | ".join(str(v).strip() for v in seen[1] if str(v).strip()) if seen else ""
            headless = headless or refuse("layout.unknown", sheet.name, seen[0] if seen else None, shown) \
                if seen else headless or refuse("scope.empty", sheet.name)
            problems.append(Problem("warning", "sheet.skipped", sheet.name, seen and seen[0], "", shown))
            continue
        sheet_layout_, reason = sheet_layout(sheet.name, header, layout)
        if sheet_layout_ is None:
            refusal = refusal or refuse(reason, sheet.name, header[0][0], header_text(header), layout or "")
            problems.append(Problem("warning", "sheet.skipped", sheet.name, header[0][0], "", header_text(header)))
            continue
        for column in sheet_layout_.columns:
            if column.field is None:
                problems.append(Problem("warning", "column.unknown", sheet.name, header[0][0], column.name,
                                        column.label))
        found.append((sheet, sheet_layout_))
    if not found:
        raise refusal or headless or refuse("scope.empty", label)
    return ScopeFile(label, found, problems)


def read_scope(path: Path, layout: str | None = None, encoding: str | None = None) -> ScopeRead:
    scope = open_scope(path, layout, encoding)
    items = list(scope.items())
    if not items:
        raise refuse("scope.empty", scope.label)
    return ScopeRead(items, scope.problems, scope.layouts)


class _SheetReader:
    """Assembles one sheet's data rows into items, keeping at most one item pending."""

    def __init__(self, layout: SheetLayout, problems: list[Problem]):
        self.layout, self.problems = layout, problems
        self.columns = {c.field: c for c in reversed(layout.columns) if c.field}
        self.unknown = [c for c in layout.columns if c.field is None]
        self.fields = {c.index: c.field for c in layout.columns}
        self.carried_object = ""  # carried down to rows that leave it blank (merged, or written once)

    def warn(self, number: int, name: str, reason: str, text: str) -> None:
        column = self.columns.get(name) if name in self.columns else None
        self.problems.append(Problem("warning", reason, self.layout.sheet, number,
                                     column.name if column else name, text))

    def items(self, rows) -> Iterator[ScopeItem]:
        last_header = self.layout.header_rows[-1]
        pending: ScopeItem | None = None
        for number, values, merged in rows:
            if number <= last_header:
                continue
            row = self._cells(number, values, merged)
            if not any(v for v, _ in row.values()):
                continue  # a blank spacer row
            if normal(row.get("seq", ("", False))[0]) == "序号":
                continue  # the header repeated (a page break in a PDF export)
            item, starts = self._item(number, row)
            if item is None:
                continue
            if pending is not None and not starts and _same_thing(pending, item):
                pending = _continue(pending, item)
                continue
            if pending is not None:
                yield pending
            pending = item
        if pending is not None:
            yield pending

    def _cells(self, number: int, values: list, merged: dict) -> dict[str, tuple[object, bool]]:
        row = {}
        for name, column in self.columns.items():
            value = values[column.index] if column.index < len(values) else ""
            origin = merged.get(column.index, column.index)
            if origin != column.index and self.fields.get(origin) != name and value not in ("", None):
                # merged across columns of different fields: the value belongs to the first one only
                self.warn(number, name, "cell.merged_across", str(value))
                value = ""
            row[name] = (value.strip() if isinstance(value, str) else value, column.index in merged)
        for column in self.unknown:
            value = values[column.index] if column.index < len(values) else ""
            row[f"?{column.index}"] = (str(value).strip(), column.index in merged)
        return row

    def _item(self, number: int, row: dict) -> tuple[ScopeItem | None, bool]:
        def text(name):
            value = row.get(name, ("", False))[0]
            return value if isinstance(value, str) else str(value)

        def own(name):  # written in this row, not merged from above
            return bool(text(name)) and not row.get(name, ("", False))[1]

        seq, param_seq = text("seq"), text("param_seq")
        layout = self.layout.layout
        obj = text("object") or self.carried_object
        self.carried_object = obj
        parameter = text("parameter")
        has_content = any(text(n) for n in ("parameter", "methods", "range", "uncertainty", "certificate"))
        if not has_content:
            return None, False  # an object (or category) row: it only names what follows
        if not obj:
            self.warn(number, "object", "object.missing", " | ".join(text(n) for n in ("seq", "parameter")))
        starts = own("param_seq") or own("parameter") or (own("seq") and not param_seq) or (
            layout == "standards" and own("object"))
        verbatim: list[tuple[str, str]] = []
        methods, warnings = cells.methods(text("methods"))
        self._report(number, "methods", warnings, [])  # kept as the method's text
        remarks = cells.squash(text("remarks"))
        fields = dict(layout=layout, object=obj, parameter=parameter, seq=param_seq or seq, methods=methods,
                      limitation=cells.limitation(text("limitation")), remarks=remarks,
                      status="suspended" if "暂停" in remarks else "active",
                      ranges=self._ranges(number, text("range"), text("uncertainty")),
                      sheet=self.layout.sheet, row=number)
        self._extras(number, row, text, fields, verbatim)
        for key in [k for k in row if k.startswith("?")]:
            if text(key):
                column = next(c for c in self.unknown if f"?{c.index}" == key)
                verbatim.append((column.label, text(key)))
        fields["service"] = _service(self.layout, fields["methods"])
        return ScopeItem(**fields, verbatim=tuple(verbatim)), starts

    def _report(self, number: int, name: str, warnings, verbatim: list) -> None:
        for reason, text in warnings:
            self.warn(number, name, reason, text)
            label = self.columns[name].label if name in self.columns else name
            if (label, text) not in verbatim:
                verbatim.append((label, text))

    def _ranges(self, number: int, range_text: str, uncertainty_text: str):
        lines = [line for line in cells.squash(range_text).split("\n") if line]
        u_lines = [line for line in cells.squash(uncertainty_text).split("\n") if line]
        if not lines and not u_lines:
            return ()
        if u_lines and len(u_lines) not in (1, max(len(lines), 1)):
            self.warn(number, "uncertainty", "uncertainty.count", uncertainty_text)
            u_lines = [" ".join(u_lines)]
        segments = []
        for i, line in enumerate(lines or [""]):
            segment, warnings = cells.range_segment(line) if line else (cells.RangeSegment(), [])
            self._report(number, "range", warnings, [])
            u_text = u_lines[i if len(u_lines) > 1 else 0] if u_lines else ""
            if u_text:
                value, warnings = cells.uncertainty(u_text, self.layout.default_k)
                self._report(number, "uncertainty", warnings, [])
                segment = replace(segment, uncertainty=value)
            segments.append(segment)
        return tuple(segments)

    def _extras(self, number: int, row: dict, text, changes: dict, verbatim: list) -> None:
        """Field code, certificate, validity, public flag and price, into `changes`."""
        if code := text("field_code"):
            changes["field_code"] = code = cells.fold(code).strip()
            if not re.fullmatch(r"[0-9.]+", code):
                self._report(number, "field_code", [("field_code.format", code)], verbatim)
        if certificate := text("certificate"):
            changes["certificate_no"], warnings = cells.certificate(certificate)
            self._report(number, "certificate", warnings, [])
        raw_date = row.get("valid_until", ("", False))[0]
        if raw_date:
            changes["valid_until"], warnings = cells.date(raw_date)
            self._report(number, "valid_until", warnings, verbatim)
        if "public" in self.columns:
            changes["public_standard"] = cells.public_standard(text("public"))
        elif "社会公用" in changes["object"] + changes["remarks"]:
            changes["public_standard"] = True
        if price := text("price"):
            changes["price"], changes["price_on_request"], warnings = cells.price(price)
            self._report(number, "price", warnings, verbatim)


def _same_thing(pending: ScopeItem, item: ScopeItem) -> bool:
    return (pending.object, pending.parameter) == (item.object, item.parameter) or not item.parameter


def _continue(pending: ScopeItem, item: ScopeItem) -> ScopeItem:
    """Another row of the same item: its range segments and any new method, limitation or remark."""
    methods = tuple(dict.fromkeys(pending.methods + item.methods))
    return replace(pending, methods=methods, ranges=pending.ranges + item.ranges,
                   limitation=pending.limitation or item.limitation, remarks=pending.remarks or item.remarks,
                   status="suspended" if "suspended" in (pending.status, item.status) else "active",
                   verbatim=tuple(dict.fromkeys(pending.verbatim + item.verbatim)))


def _service(layout: SheetLayout, methods) -> str:
    """Testing (inspection for an inspection body's scope); for metrology, 检定 when every method is a JJG."""
    if layout.layout in ("cnas-testing", "cma"):
        return "inspection" if layout.inspection else "testing"
    standards = [m.standard for m in methods if m.standard]
    if standards and all(s.startswith("JJG") for s in standards):
        return "verification"
    return "calibration"
