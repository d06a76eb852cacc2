"""Tests for registry.units: what metrology writes must parse, and convert sensibly."""
import math

import pytest

from registry import units
from registry.units import UnitError, parse_unit, to_base

PRESSURE = "[mass] / [length] / [time] ** 2"
FORCE = "[mass] * [length] / [time] ** 2"
ENERGY = "[mass] * [length] ** 2 / [time] ** 2"
RESISTANCE = "[mass] * [length] ** 2 / [time] ** 3 / [current] ** 2"
VOLTAGE = "[mass] * [length] ** 2 / [time] ** 3 / [current]"
POWER = "[mass] * [length] ** 2 / [time] ** 3"

# (as typed, stored spelling, 1 unit in SI base units, dimensionality)
METROLOGY_UNITS = [
    ("MPa", "MPa", 1e6, PRESSURE),
    ("kPa", "kPa", 1e3, PRESSURE),
    ("Pa", "Pa", 1, PRESSURE),
    ("bar", "bar", 1e5, PRESSURE),
    ("K", "K", 1, "[temperature]"),
    ("mm", "mm", 1e-3, "[length]"),
    ("μm", "μm", 1e-6, "[length]"),  # Greek mu
    ("µm", "µm", 1e-6, "[length]"),  # micro sign
    ("um", "um", 1e-6, "[length]"),
    ("m", "m", 1, "[length]"),
    ("kN", "kN", 1e3, FORCE),
    ("N", "N", 1, FORCE),
    ("N·m", "N·m", 1, ENERGY),
    ("N.m", "N.m", 1, ENERGY),
    ("kg", "kg", 1, "[mass]"),
    ("g", "g", 1e-3, "[mass]"),
    ("mg", "mg", 1e-6, "[mass]"),
    ("Ω", "Ω", 1, RESISTANCE),  # Greek capital omega
    ("\u2126", "\u2126", 1, RESISTANCE),  # the ohm sign
    ("ohm", "ohm", 1, RESISTANCE),
    ("kΩ", "kΩ", 1e3, RESISTANCE),
    ("MΩ", "MΩ", 1e6, RESISTANCE),
    ("V", "V", 1, VOLTAGE),
    ("mV", "mV", 1e-3, VOLTAGE),
    ("kV", "kV", 1e3, VOLTAGE),
    ("A", "A", 1, "[current]"),
    ("mA", "mA", 1e-3, "[current]"),
    ("Hz", "Hz", 1, "1 / [time]"),
    ("kHz", "kHz", 1e3, "1 / [time]"),
    ("MHz", "MHz", 1e6, "1 / [time]"),
    ("GHz", "GHz", 1e9, "1 / [time]"),
    ("W", "W", 1, POWER),
    ("kW", "kW", 1e3, POWER),
    ("lx", "lx", 1, "[luminosity] / [length] ** 2"),
    ("cd", "cd", 1, "[luminosity]"),
    ("s", "s", 1, "[time]"),
    ("ms", "ms", 1e-3, "[time]"),
    ("%", "%", 0.01, "dimensionless"),
    ("mL", "mL", 1e-6, "[length] ** 3"),
    ("L", "L", 1e-3, "[length] ** 3"),
    ("mol/L", "mol/L", 1e3, "[substance] / [length] ** 3"),
    ("m/s", "m/s", 1, "[length] / [time]"),
    ("m/s²", "m/s²", 1, "[length] / [time] ** 2"),
    ("m/s^2", "m/s^2", 1, "[length] / [time] ** 2"),
    ("r/min", "r/min", 2 * math.pi / 60, "1 / [time]"),  # pint: a revolution is 2π rad, rad is 1
    ("rpm", "rpm", 2 * math.pi / 60, "1 / [time]"),
    ("Gy", "Gy", 1, "[length] ** 2 / [time] ** 2"),
    ("Sv", "Sv", 1, "[length] ** 2 / [time] ** 2"),
    ("Bq", "Bq", 1, "1 / [time]"),
    ("pH", "pH", 1, "dimensionless"),
    ("%RH", "%RH", 1, "[relative_humidity]"),
    ("% RH", "% RH", 1, "[relative_humidity]"),
    ("%rh", "%rh", 1, "[relative_humidity]"),
    ("RH%", "RH%", 1, "[relative_humidity]"),
    ("HV", "HV", 1, "[hardness_vickers]"),
    ("HRC", "HRC", 1, "[hardness_rockwell_C]"),
    ("HRB", "HRB", 1, "[hardness_rockwell_B]"),
    ("HBW", "HBW", 1, "[hardness_brinell]"),
    ("m3/h", "m3/h", 1 / 3600, "[length] ** 3 / [time]"),
    ("mm2", "mm2", 1e-6, "[length] ** 2"),
    ("mmH2O", "mmH2O", 9.80665, PRESSURE),
    ("kgf/cm²", "kgf/cm²", 98066.5, PRESSURE),
    ("℃/min", "℃/min", 1 / 60, "[temperature] / [time]"),  # a rate: ℃ as a difference
    ("mPa·s", "mPa·s", 1e-3, "[mass] / [length] / [time]"),
    # cleaned spellings
    ("  MPa ", "MPa", 1e6, PRESSURE),
    ("ＭＰａ", "MPa", 1e6, PRESSURE),
    ("ｍ／ｓ", "m/s", 1, "[length] / [time]"),
    ("％ＲＨ", "%RH", 1, "[relative_humidity]"),
    ("Mpa", "MPa", 1e6, PRESSURE),
    ("KPa", "kPa", 1e3, PRESSURE),
    ("KN", "kN", 1e3, FORCE),
    ("Kg", "kg", 1, "[mass]"),
    ("KHz", "kHz", 1e3, "1 / [time]"),
    ("kN  ·  m", "kN · m", 1e3, ENERGY),
]


@pytest.mark.parametrize("typed, stored, factor, dimensionality", METROLOGY_UNITS)
def test_metrology_units(typed, stored, factor, dimensionality):
    assert parse_unit(typed) == stored
    assert parse_unit(stored) == stored  # the stored spelling round-trips
    value, dims = to_base(1, typed)
    assert value == pytest.approx(factor)
    assert dims == dimensionality


@pytest.mark.parametrize("spelling", ["℃", "°C", "degC"])
def test_celsius_is_absolute(spelling):
    assert parse_unit(spelling) == spelling
    assert to_base(20, spelling) == (pytest.approx(293.15), "[temperature]")
    assert to_base(-273.15, spelling)[0] == pytest.approx(0, abs=1e-9)


def test_same_quantity_in_different_units_compares_equal():
    assert to_base(1, "MPa") == pytest.approx(to_base(1000, "kPa"))
    assert to_base(20, "℃") == (pytest.approx(to_base(293.15, "K")[0]), "[temperature]")
    assert to_base(1500, "μm") == pytest.approx(to_base(1.5, "mm"))
    assert to_base(1, "kΩ") == pytest.approx(to_base(1000, "ohm"))


def test_hardness_scales_do_not_convert_to_each_other_or_to_numbers():
    dims = {to_base(1, u)[1] for u in ["HV", "HK", "HBW", "HRA", "HRB", "HRC", "%"]}
    assert len(dims) == 7
    with pytest.raises(Exception):
        units.registry().Quantity(50, "HRC").to("HV")


def test_relative_humidity_is_not_a_plain_percentage():
    assert to_base(50, "%RH") == (50.0, "[relative_humidity]")
    assert to_base(50, "%") == (pytest.approx(0.5), "dimensionless")


@pytest.mark.parametrize(
    "spelling, dims",
    [
        ("dB", "[level dB]"),
        ("dB(A)", "[level dB]"),  # weighting is a measurement condition
        ("dB (C)", "[level dB]"),
        ("dBA", "[level dB]"),
        ("dBm", "[level dBm]"),
        ("dBW", "[level dBW]"),
        ("dBμV", "[level dBμV]"),
        ("dBuV", "[level dBμV]"),
        ("dBµV/m", "[level dBμV/m]"),
        ("dBc/Hz", "[level dBc/Hz]"),
        ("dB/km", "[level dB/km]"),
        ("dB / m", "[level dB/m]"),
    ],
)
def test_levels_are_not_converted(spelling, dims):
    assert parse_unit(spelling) == spelling
    assert to_base(94, spelling) == (94.0, dims)
    assert to_base(-10, spelling) == (-10.0, dims)


def test_decimal_values_are_accepted():
    from decimal import Decimal

    assert to_base(Decimal("0.5"), "MPa") == (pytest.approx(5e5), PRESSURE)


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "xyz", "RH", "10 m", "2", "dimensionless", "m**", "MPa)", "压力", "Rm", "kg/", "m!", "MPa;",
     "decibel", "Np", "dB(A", "dBx", None, 3],
)
def test_unknown_units(bad):
    with pytest.raises(UnitError) as info:
        parse_unit(bad)
    assert info.value.reason == "unit.unknown"
    assert isinstance(info.value, ValueError)


def test_to_base_rejects_unknown_unit():
    with pytest.raises(UnitError):
        to_base(1, "furlongs per fortnight!")


def test_registry_is_built_once():
    assert units.registry() is units.registry()
