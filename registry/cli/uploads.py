"""`flask --app registry upload work`: run queued web uploads in a process of their own.

With UPLOAD_WORKER=command the web app only queues large uploads (validation and confirmed
applies); this command, run beside the web server (e.g. as a systemd service), does them, and takes
up again the jobs whose worker died (their lease ran out).
"""
import click
from flask import current_app

from registry.extensions import db
from registry.services.records.uploads import JobRunner, UploadSettings

upload_group = click.Group("upload", help="Web uploads.")


@upload_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks for new jobs.")
def work_command(once, poll):
    """Validate and apply queued uploads, oldest first."""
    app = current_app._get_current_object()
    runner = JobRunner(UploadSettings.from_config(app.config), app.app_context, lambda: db.session, app.logger)
    runner.work(once=once, poll=poll, echo=click.echo)


COMMANDS = (upload_group,)
