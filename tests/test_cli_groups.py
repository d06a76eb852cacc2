"""Every command the registry offers is registered from registry/cli (one module per group), and only there."""
from registry import cli


def test_every_command_comes_from_the_cli_package(app):
    theirs = {"db", "routes", "run", "shell", "openapi"}  # Flask-Migrate's, Flask's, flask-smorest's
    ours = set(app.cli.list_commands(app.app_context)) - theirs
    assert ours >= {"import", "export", "seed", "user", "bookings", "send-mail", "upload", "apikey"}
    from_groups = {command.name for group in cli.GROUPS for command in group.COMMANDS}
    assert ours == from_groups
    for group in cli.GROUPS:
        assert group.__name__.startswith("registry.cli.")


def test_a_refused_command_says_why_and_exits_with_its_status(app, session, tmp_path):
    """Refusals (cli/data.refusal_exits) end with the service's message and the command's exit status,
    never a stack trace."""
    runner = app.test_cli_runner()
    cases = [(["apikey", "revoke", "hqr_nosuchkey"], 1),
             (["apikey", "create", "--partner", "x", "--scopes", "read,admin"], 2),
             (["export-scope", "F9999", str(tmp_path / "scope.xlsx")], 1)]
    for args, status in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == status, (args, result.output)
        assert result.output.strip() and "Traceback" not in result.output, args
        assert isinstance(result.exception, SystemExit), args  # an exit, not an error that escaped
