"""Forest-style plots as hand-built SVG: every coordinate computed here, drawn by a template.

Hand-built so that the output is byte-stable (no library version, font cache or
timestamp in it) and each point can link to its figure's trail. Class-level figures
are drawn as open diamonds, drug-level ones as filled circles, and the legend says so
in words, so colour is never the only cue. An interval is drawn solid when the source
reports it, dashed when the report computed it (Wilson 95 % from printed n/N), and not
at all when neither is printed (the row then says "no interval reported").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LABEL_WIDTH = 330
PLOT_LEFT = 340
PLOT_WIDTH = 320
NOTE_LEFT = 684
WIDTH = 980
ROW_HEIGHT = 32
TOP = 34
LEGEND_HEIGHT = 58


@dataclass(frozen=True)
class Point:
    """One figure on a plot."""

    label: str
    sublabel: str
    level: str
    """"drug" or "class": drawn differently."""
    value: float
    low: float | None
    high: float | None
    interval: str
    """"reported", "computed" or "none"."""
    note: str
    href: str
    ident: str


@dataclass(frozen=True)
class Scale:
    """Where a value sits on the x axis: linear for percentages, logarithmic for ratios."""

    kind: str
    low: float
    high: float
    unit: str

    def x(self, value: float) -> float:
        if self.kind == "log":
            value = min(max(value, self.low), self.high)
            share = (math.log10(value) - math.log10(self.low)) / (math.log10(self.high) - math.log10(self.low))
        else:
            share = (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)
        return round(PLOT_LEFT + share * PLOT_WIDTH, 1)

    def ticks(self) -> list[tuple[float, str]]:
        if self.kind == "log":
            values = [v for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20) if self.low <= v <= self.high]
            return [(self.x(v), f"{v:g}") for v in values]
        return [(self.x(v), f"{v:g}") for v in range(int(self.low), int(self.high) + 1, 20)]


def percent_scale() -> Scale:
    return Scale("linear", 0.0, 100.0, "%")


def ratio_scale(points: list[Point]) -> Scale:
    """A log scale wide enough for every point and interval, with 1 (no difference) inside."""
    values = [v for p in points for v in (p.value, p.low, p.high) if v is not None and v > 0]
    low = min([1.0, *values])
    high = max([1.0, *values])
    return Scale("log", _nice_low(low), _nice_high(high), "ratio")


def _nice_low(value: float) -> float:
    for candidate in (1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01):
        if candidate <= value * 0.9:
            return candidate
    return 0.01


def _nice_high(value: float) -> float:
    for candidate in (2.0, 5.0, 10.0, 20.0, 50.0, 100.0):
        if candidate >= value * 1.1:
            return candidate
    return 100.0


def layout(points: list[Point], scale: Scale) -> dict[str, object]:
    """The coordinates the SVG template draws."""
    rows = []
    for index, point in enumerate(points):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        rows.append({
            "point": point, "y": round(y, 1), "x": scale.x(point.value),
            "x1": scale.x(point.low) if point.low is not None else None,
            "x2": scale.x(point.high) if point.high is not None else None,
        })
    plot_bottom = TOP + len(points) * ROW_HEIGHT
    reference = scale.x(1.0) if scale.kind == "log" else None
    return {
        "width": WIDTH, "height": plot_bottom + 30 + LEGEND_HEIGHT, "rows": rows, "scale": scale,
        "ticks": scale.ticks(), "plot_left": PLOT_LEFT, "plot_right": PLOT_LEFT + PLOT_WIDTH,
        "plot_top": TOP - 8, "plot_bottom": plot_bottom, "label_width": LABEL_WIDTH, "note_left": NOTE_LEFT,
        "reference": reference, "legend_y": plot_bottom + 42,
    }
