"""`flask --app registry import-scope|export-scope`: messages, counts and exit codes like `import`."""
from tests.factories import facility, row_counts, run, write_dataset
from tests.services.test_scope_examples import EXPECTED, path_of


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_import_scope_detects_the_layout_and_exits_zero(app, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)]))
    result = cli(app, "import-scope", str(path_of("cnas-calibration")), "--facility", "F0001", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "cnas-calibration" in result.output
    assert f"created {len(EXPECTED['cnas-calibration'])}" in result.output
    again = cli(app, "import-scope", str(path_of("cnas-calibration")), "--facility", "F0001", "--lang", "en")
    assert again.exit_code == 0 and "Nothing changed." in again.output


def test_import_scope_dry_run_writes_nothing(app, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)]))
    before = row_counts(session)
    result = cli(app, "import-scope", str(path_of("cma")), "--facility", "F0001", "--dry-run", "--lang", "en")
    assert result.exit_code == 0 and "nothing was written" in result.output
    assert row_counts(session) == before


def test_a_wrong_layout_is_refused_naming_the_header_and_exits_1(app, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)]))
    result = cli(app, "import-scope", str(path_of("cma")), "--facility", "F0001", "--layout", "standards")
    assert result.exit_code == 1
    assert "检验检测能力 第 3 行：表头与指定的格式 standards 不符：序号 | 类别（产品/项目/参数）" in result.output
    assert "未写入任何数据" in result.output


def test_an_unknown_facility_exits_1(app, session):
    result = cli(app, "import-scope", str(path_of("cma")), "--facility", "F9999", "--lang", "en")
    assert result.exit_code == 1 and "F9999" in result.output


def test_export_scope_writes_the_published_layout(app, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)]))
    cli(app, "import-scope", str(path_of("standards")), "--facility", "F0001")
    result = cli(app, "export-scope", "F0001", str(tmp_path / "out.xlsx"), "--lang", "en")
    assert result.exit_code == 0 and (tmp_path / "out.xlsx").exists()
    from registry.services.records.scopes import read_scope
    assert read_scope(tmp_path / "out.xlsx").items == EXPECTED["standards"]
