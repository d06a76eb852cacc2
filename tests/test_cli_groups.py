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
