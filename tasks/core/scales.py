"""The scales and thresholds a report applies: the capaian scale, the early-warning bands of the monthly
monitoring, the absorption threshold of the narrative and the colour of each category label.

A plain value handed to the steps that need it; the settings (``tasks.settings``) fill it from the
user's TOML file, and these defaults are the Permendagri ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from tasks.core.calendar import quarter_of
from tasks.core.metrics import PERMENDAGRI_86_2017_SCALE

#: Early-warning bands (SIMONEV, citing Permendagri 55/2010): label and minimum cumulative serapan
#: (inclusive) in TW I..IV, highest band first.
PERMENDAGRI_55_2010_BANDS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("Sangat Tinggi", (23.0, 45.0, 79.0, 98.0)),
    ("Tinggi", (20.0, 39.0, 70.0, 95.0)),
    ("Sedang", (17.0, 33.0, 61.0, 92.0)),
    ("Rendah", (13.0, 26.0, 51.0, 88.0)),
)
BELOW_BANDS_LABEL = "Sangat Rendah"

#: Colours of the default category labels (green to red).
DEFAULT_COLORS: dict[str, str] = {
    "Sangat Tinggi": "#1a9850",
    "Tinggi": "#91cf60",
    "Sedang": "#fee08b",
    "Rendah": "#fc8d59",
    "Sangat Rendah": "#d73027",
}
_FALLBACK_COLORS = ("#4575b4", "#74add1", "#abd9e9", "#fdae61", "#f46d43", "#a50026")


#: What a signature block shows where nothing is configured: a line to fill by hand.
DOTS = "...................................."


@dataclass(frozen=True)
class Signature:
    """Who signs the report: place and date (as printed: ``17 Februari 2023``), position (its lines
    separated by ``\\n``), name, rank and NIP. An empty field is left for the office to fill by hand."""

    place: str = ""
    date: str = ""
    position: str = ""
    name: str = ""
    rank: str = ""
    nip: str = ""

    def over(self, default: Signature) -> Signature:
        """This signature over the default: place and date where this one leaves them empty; the
        person (position, name, rank, NIP) wholly from this one when it names any of them, so that
        one person's NIP never goes under another's name."""
        person = ("position", "name", "rank", "nip")
        own = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        base = replace(default, **dict.fromkeys(person, "")) if set(own) & set(person) else default
        return replace(base, **own)

    def lines(self, position: str) -> tuple[str, ...]:
        """The lines of the block: ``<place>, <date>``, the position's lines (``position`` when none is
        configured), room for the signature, the name, the rank and ``NIP. ...``; dotted lines where a
        field is not known."""
        place = self.place or DOTS[:16]
        date = self.date or DOTS[:24]
        title = [line.strip() for line in (self.position or position).split("\n") if line.strip()]
        rank = [self.rank] if self.rank else []
        return (
            f"{place}, {date}",
            *title,
            "",
            "",
            "",
            self.name or DOTS,
            *rank,
            f"NIP. {self.nip or DOTS[:24]}",
        )


@dataclass(frozen=True)
class ReportScales:
    """The scales and thresholds the reports apply (a user may change them), with the Permendagri defaults."""

    capaian_scale: tuple[tuple[float, str], ...] = PERMENDAGRI_86_2017_SCALE
    warning_bands: tuple[tuple[str, tuple[float, float, float, float]], ...] = PERMENDAGRI_55_2010_BANDS
    warning_below: str = BELOW_BANDS_LABEL
    absorption_threshold_pct: float = 80.0
    #: the "Sumber Data : ..." line under every table of the Word document and the html page; empty:
    #: the OPD's name
    data_source: str = ""
    #: a capaian beyond this is a warning of the validation (the target may need review); the
    #: published report does not print it
    capaian_bound_pct: float = 300.0
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLORS))
    #: who signs the report (``[report.signature]``), and per OPD code who signs its own
    signature: Signature = field(default_factory=Signature)
    signatures: Mapping[str, Signature] = field(default_factory=dict)

    def for_opd(self, opd_code: str) -> ReportScales:
        """The scales with the signature of the OPD (its own fields over the deployment's)."""
        own = self.signatures.get(opd_code)
        return self if own is None else replace(self, signature=own.over(self.signature))

    def color(self, label: str) -> str:
        """The colour of a category label (a stable fallback for labels without one)."""
        if label in self.colors:
            return self.colors[label]
        if not label:
            return "#bdbdbd"
        return _FALLBACK_COLORS[sum(map(ord, label)) % len(_FALLBACK_COLORS)]

    def warning_category(self, serapan_pct: float, month: int) -> str:
        """Early-warning category of a cumulative serapan in the month's quarter (June -> TW II)."""
        if serapan_pct is None or (isinstance(serapan_pct, float) and math.isnan(serapan_pct)):
            return ""
        quarter = quarter_of(month)
        for label, minima in self.warning_bands:
            if serapan_pct >= minima[quarter - 1]:
                return label
        return self.warning_below

    @property
    def warning_labels(self) -> list[str]:
        """Every early-warning label, best first."""
        return [label for label, _ in self.warning_bands] + [self.warning_below]
