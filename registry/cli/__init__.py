"""Flask CLI commands, `flask --app registry <command>`: every group registered here, in one place.

One module per group; each lists its commands in `COMMANDS`. Commands translate arguments to a
service call and the result to text and an exit status; they hold no rules of their own.
A new group is a module with `COMMANDS` added to GROUPS.
"""
from flask import Flask

from registry.cli import accounts, apikeys, bookings, data, demand, operations, scopes, seed, uploads

GROUPS = (
    data,  # import, export
    seed,  # seed (districts, demo data, example scopes)
    accounts,  # user create|list
    bookings,  # bookings expire, send-mail
    uploads,  # upload work
    apikeys,  # apikey create|list|revoke
    demand,  # demand import|list|delete|outside (the audit's demand layers)
    operations,  # serve, backup, restore, paths
    scopes,  # import-scope, export-scope (one facility's published scope)
)


def register(app: Flask) -> None:
    for group in GROUPS:
        for command in group.COMMANDS:
            app.cli.add_command(command)
