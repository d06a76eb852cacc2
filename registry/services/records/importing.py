"""Import a data set of the interchange format (DATA_FORMAT.md).

One import is one transaction. Every row is validated and every problem is
collected; rows are written as they stream, in chunks, only while the data is
clean (or with `skip_invalid`). At the end the transaction commits, or rolls
back when anything was wrong, so that an import with one error, or one killed
half-way, leaves the registry exactly as it was.
"""
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import delete

from registry.models import ChangeSet
from registry.ops import events
from registry.services.records.import_rows import ImportRun, Issue, repeated_keys
from registry.services.records.tables import FileProblem, open_tables
from registry.services.records.write_lock import begin_write

ACTIONS = ("created", "updated", "unchanged", "deleted", "rejected")


@dataclass
class ImportReport:
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, Counter] = field(
        default_factory=lambda: {"facilities": Counter(), "capabilities": Counter()})
    committed: bool = False
    change_set_id: int | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    aborted: bool = False  # a file could not be read: nothing is written, whatever the options
    out_of_scope_rows: int = 0  # rows naming a facility outside `facility_scope` (web uploads refuse them all)
    uscc_changes: list[dict] = field(default_factory=list)  # facilities whose USCC (legal identity) the rows change

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    def abort(self, problem: FileProblem) -> None:
        """A file could not be read (as a whole or from some row on): nothing is written."""
        self.issues.append(Issue(problem.file, problem.row, None, None, problem.message))
        self.aborted = True

    @property
    def rejected_rows(self) -> int:
        return sum(c["rejected"] for c in self.counts.values())

    @property
    def outcome(self) -> str:
        """rejected (nothing written) · partial (valid rows applied, others rejected) ·
        dry_run · committed · unchanged."""
        if self.errors:
            partial = self.skip_invalid and not self.dry_run and not self.aborted
            return "partial" if partial else "rejected"
        if self.dry_run:
            return "dry_run"
        return "committed" if self.committed else "unchanged"

    @property
    def changed(self) -> bool:
        return any(c[a] for c in self.counts.values() for a in ("created", "updated", "deleted"))


@events.import_run
def import_dataset(session, paths: list[Path], *, locator, actor: str, encoding=None,
                   skip_invalid=False, prune=False, dry_run=False, demo=False, chunk_rows=2000,
                   progress: Callable[[int, int], None] | None = None,
                   facility_scope: frozenset[str] | None = None,
                   on_changes: Callable[[list[dict]], None] | None = None,
                   allow_uscc_change: bool = False) -> ImportReport:
    """Validate and apply the files; see the module docstring for the guarantees.

    `dry_run` does all the work, counts included, and then rolls it back.
    `facility_scope`: the only facility ids the rows may name (an operator's own); any other is
    a row error. `on_changes` receives each batch of change-log rows as it is written (a preview).
    No record is overwritten by another's data: rows of one file that claim the same id are all
    rejected (in every mode), and a row that changes a stored facility's USCC (its legal identity) is
    rejected unless `allow_uscc_change` (the CLI's flag, the upload preview's confirmation); either
    way it is listed in `report.uscc_changes`.
    """
    report = ImportReport(skip_invalid=skip_invalid, dry_run=dry_run)
    try:
        tables, warnings = open_tables(paths, encoding)
    except FileProblem as problem:
        report.abort(problem)
        return report
    report.issues += [Issue("-", None, None, None, w, "warning") for w in warnings]
    for table in tables.values():
        report.issues += [Issue(table.label, 1, None, None, w, "warning") for w in table.warnings]
    run = ImportRun(session, locator, actor, report, skip_invalid=skip_invalid, prune=prune,
                     demo=demo, chunk_rows=chunk_rows, progress=progress, facility_scope=facility_scope,
                     on_changes=on_changes, allow_uscc_change=allow_uscc_change)
    try:
        begin_write(session)
        if skip_invalid and "capabilities" in tables:  # the first of two rows must not be written either
            run.duplicate_capabilities = repeated_keys(open_tables(paths, encoding)[0]["capabilities"])
        run.execute(tables, source="import " + " ".join(p.name for p in paths))
    except FileProblem as problem:
        report.abort(problem)
        session.rollback()
        return report
    except BaseException:
        session.rollback()
        raise
    if dry_run or (report.errors and not skip_invalid) or not (report.changed or run.renewed_digests):
        session.rollback()
        report.change_set_id = None
    elif not report.changed:  # only digests renewed: they are kept, the change set (empty) is not
        session.execute(delete(ChangeSet).where(ChangeSet.id == report.change_set_id))
        session.commit()
        report.change_set_id = None
    else:
        session.commit()
        report.committed = True
        if sum(c[a] for c in report.counts.values() for a in ("created", "updated", "deleted")) >= ANALYZE_AFTER_ROWS:
            refresh_statistics(session)
    return report


ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(session) -> None:
    """After a large import, give the query planner fresh statistics (and PostgreSQL a visibility
    map) at once instead of whenever autovacuum next looks: searches right after a first load of
    300,000 capabilities took up to twice as long."""
    engine = session.get_bind()
    if engine.dialect.name == "postgresql":  # VACUUM also lets counts use index-only scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE facilities, capabilities, search_docs, accreditations")
    elif engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")


