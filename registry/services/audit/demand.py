"""Demand layers: who needs the services and where, imported once and kept as weights on the audit grid.

Files: CSV or XLSX of points (`lon,lat,weight`, WGS-84: enterprises, a population grid given by its
cell centres) or GeoJSON of 街道/乡镇 township polygons with a count (`count`, or `weight`): the
counts are spread over the grid cells each township covers (`geo.access.polygons_to_cells`). Every
layer has a name, a kind (residents | enterprises | other), a year and a source, which every figure
and map computed with it shows. Without a layer, demand is the 2020 census population by district,
spread evenly over each district's cells (the scenic area's residents on its own land): the fallback,
labelled so.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from geo.access import Grid, nearest_cells, points_to_cells, polygons_to_cells
from registry.caching import VersionedCache
from registry.database import database_key
from registry.errors import RegistryError
from registry.models import DemandCell, DemandLayer, OutsideSupply
from registry.models.demand import DEMAND_KINDS, DEMAND_SHAPES

if TYPE_CHECKING:  # geopandas and shapely take seconds to import: loaded when townships are first read
    import geopandas as gpd
    import numpy as np  # loaded when a function here first needs it

MAX_DEMAND_ROWS = 100_000
MAX_DEMAND_BYTES = 10 * 1024 * 1024
MAX_TOWNSHIPS = 5_000
COUNT_FIELDS = ("count", "weight", "population", "enterprises")
KIND_LABELS = {"residents": _l("residents"), "enterprises": _l("enterprises"), "other": _l("other demand")}
CENSUS = {"name": _l("Resident population by district"), "kind": "residents", "year": 2020,
          "source": _l("2020 census (七普), spread evenly over each district's 1 km cells; the West Lake "
                       "Scenic Area's 23,763 residents on its land in Xihu (fallback)")}


@dataclass(frozen=True)
class DemandLabel:
    """What a figure's demand was: shown beside every figure and map."""

    layer_id: int  # 0: the census fallback
    name: str
    kind: str
    year: int
    source: str

    def text(self) -> str:
        return f"{self.name} · {KIND_LABELS.get(self.kind, self.kind)} · {self.year}"


def census_label() -> DemandLabel:
    return DemandLabel(0, str(CENSUS["name"]), "residents", 2020, str(CENSUS["source"]))


def _text(data: bytes) -> str:
    if len(data) > MAX_DEMAND_BYTES:
        raise RegistryError(_l("The demand file is larger than %(mb)s MB.", mb=MAX_DEMAND_BYTES // 2 ** 20))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RegistryError(_l("The demand file is neither UTF-8 nor GB18030 text."))


def points_from_rows(rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat, weight from a header row and data rows; any bad row rejects the file with its row."""
    import numpy as np

    rows = iter(rows)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    if not {"lon", "lat", "weight"} <= set(header):
        raise RegistryError(_l("The demand file needs the columns lon, lat, weight."))
    at = {name: header.index(name) for name in ("lon", "lat", "weight")}
    lon, lat, weight = [], [], []
    for number, row in enumerate(rows, start=2):
        if not any(str(cell if cell is not None else "").strip() for cell in row):
            continue
        if len(lon) >= MAX_DEMAND_ROWS:
            raise RegistryError(_l("The demand file has more than %(n)s rows.", n=MAX_DEMAND_ROWS))
        try:
            x, y, w = (float(row[at[name]]) for name in ("lon", "lat", "weight"))
        except (ValueError, IndexError, TypeError):
            raise RegistryError(_l("Row %(row)s of the demand file: lon, lat and weight must be numbers.",
                                   row=number)) from None
        if not (118 <= x <= 121 and 29 <= y <= 31 and math.isfinite(w) and w >= 0):
            raise RegistryError(_l("Row %(row)s of the demand file: the point is not in Hangzhou (WGS-84) "
                                   "or the weight is negative.", row=number))
        lon.append(x), lat.append(y), weight.append(w)
    if not lon:
        raise RegistryError(_l("The demand file has no rows."))
    return np.array(lon), np.array(lat), np.array(weight)


def parse_demand_csv(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat, weight (WGS-84) from a CSV with those headers (UTF-8 or GB18030)."""
    return points_from_rows(csv.reader(io.StringIO(_text(data))))


def parse_demand_xlsx(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat, weight from the first sheet of a workbook, header in the first row."""
    from openpyxl import load_workbook

    if len(data) > MAX_DEMAND_BYTES:
        raise RegistryError(_l("The demand file is larger than %(mb)s MB.", mb=MAX_DEMAND_BYTES // 2 ** 20))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise RegistryError(_l("The demand file is not an XLSX workbook.")) from None
    try:
        return points_from_rows(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def parse_townships(data: bytes) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """(township polygons in WGS-84, their counts) from a GeoJSON FeatureCollection whose features
    carry a count in `count` (or weight, population, enterprises)."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import shape

    try:
        document = json.loads(_text(data))
        features = document["features"]
    except (ValueError, KeyError, TypeError):
        raise RegistryError(_l("The township file is not a GeoJSON FeatureCollection.")) from None
    if not features or len(features) > MAX_TOWNSHIPS:
        raise RegistryError(_l("The township file must hold 1 to %(n)s townships.", n=MAX_TOWNSHIPS))
    shapes, counts = [], []
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        field = next((f for f in COUNT_FIELDS if properties.get(f) is not None), None)
        try:
            geometry = shape(feature["geometry"])
            count = float(properties[field]) if field else float("nan")
        except (KeyError, TypeError, ValueError, AttributeError):
            geometry, count = None, float("nan")
        if geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid \
                or not math.isfinite(count) or count < 0:
            raise RegistryError(_l("Township %(n)s: a valid polygon and a count (not negative) are needed.",
                                   n=number))
        minx, miny, maxx, maxy = geometry.bounds
        if not (118 <= minx and maxx <= 121 and 29 <= miny and maxy <= 31):
            raise RegistryError(_l("Township %(n)s is not in Hangzhou (WGS-84).", n=number))
        shapes.append(geometry), counts.append(count)
    return gpd.GeoDataFrame(geometry=shapes, crs="EPSG:4326"), np.array(counts)


def read_demand_file(filename: str, data: bytes, grid: Grid, shape_hint: str = "") -> tuple[str, int, np.ndarray,
                                                                                                float]:
    """(shape, rows read, weight per grid cell, weight off the city) of a demand file, by its extension."""
    name = filename.lower()
    if name.endswith((".geojson", ".json")):
        polygons, counts = parse_townships(data)
        cells, lost = polygons_to_cells(grid, polygons, counts)
        return "townships", len(counts), cells, lost
    if name.endswith(".xlsx"):
        lon, lat, weight = parse_demand_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        lon, lat, weight = parse_demand_csv(data)
    else:
        raise RegistryError(_l("A demand file is CSV, XLSX or GeoJSON."))
    cells, lost = points_to_cells(grid, lon, lat, weight)
    return ("grid" if shape_hint == "grid" else "points"), int(lon.size), cells, lost


def check_layer_fields(name: str, kind: str, year, source: str) -> tuple[str, str, int, str]:
    name, source = (name or "").strip(), (source or "").strip()
    if not name or len(name) > 120:
        raise RegistryError(_l("A demand layer needs a name of at most 120 characters."))
    if kind not in DEMAND_KINDS:
        raise RegistryError(_l("The kind of demand must be one of %(kinds)s.", kinds=", ".join(DEMAND_KINDS)))
    try:
        year = int(str(year).strip())
    except ValueError:
        year = 0
    if not 1950 <= year <= 2100:
        raise RegistryError(_l("The demand layer's year must be a year from 1950 to 2100."))
    if not source:
        raise RegistryError(_l("Say where the demand layer comes from (its source)."))
    return name, kind, year, source


def import_demand_layer(session, filename: str, data: bytes, grid: Grid, *, name: str, kind: str, year,
                        source: str, shape_hint: str = "", created_by: str | None = None) -> DemandLayer:
    """Read a demand file onto the grid and keep it as a layer (one transaction: all or nothing)."""
    import numpy as np

    name, kind, year, source = check_layer_fields(name, kind, year, source)
    if shape_hint and shape_hint not in DEMAND_SHAPES:
        raise RegistryError(_l("The shape must be one of %(shapes)s.", shapes=", ".join(DEMAND_SHAPES)))
    shape_read, rows, cells, lost = read_demand_file(filename, data, grid, shape_hint)
    if cells.sum() <= 0:
        raise RegistryError(_l("No demand of the file falls on Hangzhou's land."))
    layer = DemandLayer(name=name, kind=kind, year=year, source=source, shape=shape_read, file_rows=rows,
                        total=float(cells.sum()), off_city=float(lost), cell_m=grid.cell_m, created_by=created_by)
    session.add(layer)
    session.flush()
    used = np.flatnonzero(cells > 0)
    session.execute(insert(DemandCell), [
        {"layer_id": layer.id, "x": float(grid.x[i]), "y": float(grid.y[i]),
         "district_code": str(grid.district[i]), "weight": float(cells[i])} for i in used])
    session.commit()
    return layer


def delete_demand_layer(session, layer_id: int) -> bool:
    layer = session.get(DemandLayer, layer_id)
    if layer is None:
        return False
    session.execute(delete(DemandCell).where(DemandCell.layer_id == layer_id))
    session.delete(layer)
    session.commit()
    return True


def demand_layers(session) -> list[DemandLayer]:
    return list(session.scalars(select(DemandLayer).order_by(DemandLayer.kind, DemandLayer.year.desc(),
                                                             DemandLayer.id)))


def layer_label(session, layer_id: int) -> DemandLabel:
    """The label of layer `layer_id` (0: the census fallback); an unknown layer is a clear 400."""
    if not layer_id:
        return census_label()
    layer = session.get(DemandLayer, layer_id)
    if layer is None:
        raise RegistryError(_l("There is no demand layer %(id)s.", id=layer_id))
    return DemandLabel(layer.id, layer.name, layer.kind, layer.year, layer.source)


_weights_cache = VersionedCache(8, name="audit_demand_weights")


def layer_weights(session, layer_id: int, grid: Grid) -> np.ndarray:
    """The layer's weight on each cell of `grid` (cells are matched by their centres). A layer never
    changes once written (a new file is a new layer), so its weights are kept per process whatever
    the registry's data version."""
    created = session.scalar(select(DemandLayer.created_at).where(DemandLayer.id == layer_id))
    key = (database_key(session), layer_id, created, len(grid), grid.cell_m, float(grid.x[:1].sum()))
    return _weights_cache.get_or_compute(key, lambda: _read_layer_weights(session, layer_id, grid))


def _read_layer_weights(session, layer_id: int, grid: Grid) -> np.ndarray:
    import numpy as np

    rows = session.execute(select(DemandCell.x, DemandCell.y, DemandCell.weight)
                           .where(DemandCell.layer_id == layer_id)).all()
    out = np.zeros(len(grid))
    if rows:
        data = np.array(rows, float)
        cells = nearest_cells(grid, data[:, 0], data[:, 1], max_m=grid.cell_m / 4)
        found = cells >= 0
        np.add.at(out, cells[found], data[found, 2])
    return out


def inputs_version(session) -> tuple:
    """A key that changes whenever a demand layer or outside supply is added or removed (for caches:
    `data_version` only sees facilities and capabilities)."""
    layers = session.execute(select(func.count(), func.max(DemandLayer.id), func.max(DemandLayer.created_at))).one()
    outside = session.execute(select(func.count(), func.max(OutsideSupply.id),
                                     func.max(OutsideSupply.created_at))).one()
    return tuple(layers) + tuple(outside)
