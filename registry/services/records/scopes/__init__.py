"""Scopes as bureaus and labs publish them: CNAS testing and calibration scopes, the CMA 附表, and
lists of measurement standards (计量标准), read from XLSX or CSV into typed items and written back.

Pure: no Flask, no models, no database. `reading` streams a file into `ScopeItem`s (layout detected
from the header rows, or given), `writing` writes items in the same layouts, `cells` reads the
cell forms (methods, ranges, uncertainties …), `layouts` recognises headers, `source` streams raw
rows with their merged cells, `messages` words every problem in Chinese and English.

Proposed capability model (for the lead to wire in; names are suggestions)
---------------------------------------------------------------------------
`capabilities` keeps its columns (v1 interchange files import as before: `name` stays, and for a
scope item it is written as "object parameter") and gains:

    object          varchar(200)  检测对象 / 测量仪器名称 / 类别 / 计量标准名称      (ScopeItem.object)
    parameter       varchar(200)  项目/参数, 被测量                                 (ScopeItem.parameter)
    seq             varchar(20)   序号 as published (1.1)                         (ScopeItem.seq)
    service         varchar(16)   testing | calibration | verification | inspection | certification
    status          varchar(16)   active | suspended (说明 says 暂停)              default 'active'
    limitation_kind varchar(8)    only | except | other, null when none
    limitation      text          限制范围 as written
    remarks         text          说明
    field_code      varchar(20)   CNAS 领域代码
    public_standard boolean       社会公用计量标准                                 default false
    price_on_request boolean      面议                                            default false
    source_sheet    varchar(31)   which certificate attachment (sheet) the item came from
    verbatim        json          [(column, text)] cells the reader kept without understanding

`capability_methods` (one row per method, ordered; replaces `standards` as the source of truth,
`standards` stays as the derived ';'-list of normalised numbers for v1 export and search):

    id, capability_id → capabilities.id (cascade), position int,
    standard varchar(80) (normalised, '' for a non-standard method), standard_key varchar(80)
    (registry.identifiers.standard_search_key, indexed for prefix search), title text, clause
    varchar(100), text text (a non-standard method as written: 作业指导书 …)

`capability_ranges` (one row per segment, ordered; `range_min/max/unit/uncertainty` on
capabilities stay, filled from the first segment, for v1):

    id, capability_id → capabilities.id (cascade), position int,
    min numeric, max numeric, unit varchar(30), min_unit varchar(30), text varchar(200),
    min_base float, max_base float, dimension varchar(60)    (registry.units.to_base, for range search)
    u_kind varchar(10) (absolute|relative|class|mpe|formula|text), u_value numeric, u_unit varchar(30),
    u_k numeric, u_text varchar(200)

Measurement standards use `certificate_no` and `valid_until` (already there). Facilities gain
`standardisation_kind` (标准化技术/服务机构, nullable) and `metrology_authorisation` (计量授权 text),
and the API's `public_standards` is a count over `public_standard`. An import of a newer scope
matches items on (facility, service, object, parameter, first method's standard) so that unchanged
items keep their ids and digests; `--prune` tombstones the rest in the same change set.
"""
from registry.services.records.scopes.items import (
    LAYOUTS,
    Limitation,
    Method,
    Problem,
    RangeSegment,
    ScopeItem,
    Uncertainty,
)
from registry.services.records.scopes.reading import ScopeFile, ScopeRead, open_scope, read_scope
from registry.services.records.scopes.source import ScopeFileError
from registry.services.records.scopes.writing import write_scope

__all__ = [
    "LAYOUTS", "Limitation", "Method", "Problem", "RangeSegment", "ScopeItem", "Uncertainty",
    "ScopeFile", "ScopeRead", "ScopeFileError", "open_scope", "read_scope", "write_scope",
]
