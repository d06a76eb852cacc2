"""`flask --app registry demand import|list|delete|outside`: the audit's demand layers and outside supply.

    flask --app registry demand import FILE --name N --kind residents|enterprises|other --year Y --source S
    flask --app registry demand outside FILE --source S [--year Y] [--replace]

FILE: CSV or XLSX of points (lon, lat, weight; `--shape grid` for a grid given by its cell centres) or
GeoJSON township polygons with a `count`.
"""
import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from registry.errors import RegistryError
from registry.extensions import db
from registry.models.demand import DEMAND_KINDS, DEMAND_SHAPES
from registry.services.audit import demand
from registry.services.audit.accessibility import populations, resident_grid
from registry.services.audit.outside_supply import import_outside_supply
from registry.services.districts import district_locator

demand_group = click.Group("demand", help="Demand layers and outside supply for the audit's accessibility.")


def _fail(exc: RegistryError) -> None:
    db.session.rollback()
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(1)


@demand_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(DEMAND_KINDS), required=True)
@click.option("--year", type=int, required=True)
@click.option("--source", required=True, help="Where the figures come from (shown beside every figure).")
@click.option("--shape", type=click.Choice(DEMAND_SHAPES), default=None, help="grid: the points are cell centres.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def import_command(file: Path, name, kind, year, source, shape, lang):
    """Import a demand layer onto the audit grid (all or nothing)."""
    grid = resident_grid(current_app.config["DISTRICTS_GEOJSON"], populations(db.session))
    with force_locale(lang):
        try:
            layer = demand.import_demand_layer(db.session, file.name, file.read_bytes(), grid, name=name, kind=kind,
                                               year=year, source=source, shape_hint=shape or "",
                                               created_by="cli")
        except RegistryError as exc:
            _fail(exc)
    click.echo(f"demand layer {layer.id} {layer.name} ({layer.kind}, {layer.year}, {layer.shape}): "
               f"{layer.file_rows} rows, {layer.total:,.1f} on the grid, {layer.off_city:,.1f} off the city")


@demand_group.command("list")
def list_command():
    """The demand layers."""
    for layer in demand.demand_layers(db.session):
        click.echo(f"{layer.id}\t{layer.name}\t{layer.kind}\t{layer.year}\t{layer.shape}\t{layer.total:,.1f}\t"
                   f"{layer.source}")


@demand_group.command("delete")
@click.argument("layer_id", type=int)
def delete_command(layer_id: int):
    """Remove a demand layer."""
    if not demand.delete_demand_layer(db.session, layer_id):
        click.echo(f"error: no demand layer {layer_id}", err=True)
        sys.exit(1)
    click.echo(f"demand layer {layer_id} removed")


@demand_group.command("outside")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True)
@click.option("--year", type=int)
@click.option("--replace", is_flag=True, help="Drop the outside supply imported before.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def outside_command(file: Path, source, year, replace, lang):
    """Import facilities beyond the city's border (CSV: lon, lat, kind, weight[, name, discipline])."""
    locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
    with force_locale(lang):
        try:
            n = import_outside_supply(db.session, file.read_bytes(), locator.locate, source=source, year=year,
                                      replace=replace)
        except RegistryError as exc:
            _fail(exc)
    click.echo(f"{n} outside facilities imported")


COMMANDS = (demand_group,)
