"""`flask --app registry upload work`: run queued web uploads in a process of their own.

With UPLOAD_WORKER=command the web app only queues large uploads (validation and confirmed
applies); this command, run beside the web server (e.g. as a systemd service), does them.
"""
import time

import click
from flask import current_app

from registry.extensions import db
from registry.services.records.uploads import job_step, pending_jobs, run_job_step

upload_group = click.Group("upload", help="Web uploads.")


@upload_group.command("work")
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between looks for new jobs.")
def work_command(once, poll):
    """Validate and apply queued uploads, oldest first."""
    app = current_app._get_current_object()
    while True:
        jobs = pending_jobs(db.session)
        db.session.rollback()
        for job_id, step in jobs:
            click.echo(f"upload {job_id}: {step}")
            run_job_step(app, lambda: db.session, job_id, job_step(step, app.config))
        if once:
            return
        time.sleep(poll)


COMMANDS = (upload_group,)
