"""What each problem reason means, in Chinese (first) and English.

The reader is pure (no Flask), so it cannot call gettext; it reports a stable
reason and the place, and this table words it. Callers with a request pick the
language: `problem.message("en")`.
"""
from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "file.unreadable": ("文件无法读取：{detail}", "the file cannot be read: {detail}"),
    "file.encoding": ("文件既不是 UTF-8 也不是 GB18030 编码的 CSV", "the file is neither UTF-8 nor GB18030 CSV text"),
    "file.type": ("只接受 .xlsx 或 .csv 文件", "only .xlsx and .csv files are read"),
    "layout.unknown": ("无法识别能力范围的表头格式，读到的表头行为：{text}",
                       "the layout of this scope is not recognised; the header row read was: {text}"),
    "layout.no_header": ("前 {detail} 行中没有找到含“序号”的表头行",
                         "no header row with 序号 in the first {detail} rows"),
    "layout.mismatch": ("表头与指定的格式 {detail} 不符：{text}",
                        "the header does not match the layout {detail}: {text}"),
    "layout.unknown_name": ("未知的格式 {text}（可用：{detail}）", "unknown layout {text} (known: {detail})"),
    "sheet.skipped": ("工作表不是能力范围表，已跳过：{text}", "sheet is not a scope table, left aside: {text}"),
    "scope.empty": ("文件中没有任何能力条目", "the file holds no scope items"),
    "cell.merged_across": ("单元格跨列合并到了另一列，只算作第一列的内容：{text}",
                           "a cell merged across into another column counts for the first column only: {text}"),
    "column.unknown": ("未识别的列，已忽略：{text}", "column not recognised, ignored: {text}"),
    "object.missing": ("缺少检测对象/仪器名称", "the object (instrument, category) is missing"),
    "method.unknown": ("无法识别的方法写法，已原样保留：{text}", "method not recognised, kept as written: {text}"),
    "standard.format": ("标准编号无法识别，已原样保留：{text}",
                        "standard number not recognised, kept as written: {text}"),
    "range.unknown": ("无法识别的测量范围写法，已原样保留：{text}",
                      "measurement range not recognised, kept as written: {text}"),
    "range.order": ("测量范围下限大于上限：{text}", "the lower end of the range is above the upper end: {text}"),
    "unit.unknown": ("单位无法识别，已原样保留：{text}", "unit not recognised, kept as written: {text}"),
    "uncertainty.unknown": ("无法识别的不确定度写法，已原样保留：{text}",
                            "uncertainty not recognised, kept as written: {text}"),
    "uncertainty.count": ("不确定度的行数与测量范围的行数不符：{text}",
                          "the uncertainty cell has a different number of lines than the range cell: {text}"),
    "certificate.format": ("证书编号写法不规范，已原样保留：{text}",
                           "certificate number not in the usual form, kept as written: {text}"),
    "date.unknown": ("无法识别的日期，已原样保留：{text}", "date not recognised, kept as written: {text}"),
    "price.unknown": ("无法识别的价格，已原样保留：{text}", "price not recognised, kept as written: {text}"),
    "value.too_long": ("内容超过 {detail} 个字符：{text}", "longer than {detail} characters: {text}"),
    "field_code.format": ("领域代码应为数字，已原样保留：{text}", "a field code is digits, kept as written: {text}"),
}


def reason_text(problem, language: str = "zh") -> str:
    """What is wrong, without the place (a table of problems gives sheet, row and column in columns of their own)."""
    zh, en = REASONS.get(problem.reason, ("{reason}：{text}", "{reason}: {text}"))
    template = zh if language.startswith("zh") else en
    return template.format(text=problem.text, detail=problem.detail, reason=problem.reason)


def describe(problem, language: str = "zh") -> str:
    """The problem's message with its place: 'Sheet1 第 5 行 E 列：…' / 'Sheet1 row 5, column E: …'."""
    body = reason_text(problem, language)
    if language.startswith("zh"):
        where = problem.sheet + (f" 第 {problem.row} 行" if problem.row else "")
        where += f" {problem.column} 列" if problem.column else ""
        return f"{where}：{body}"
    where = problem.sheet + (f" row {problem.row}" if problem.row else "")
    where += f", column {problem.column}" if problem.column else ""
    return f"{where}: {body}"
