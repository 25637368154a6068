"""Country gazetteer: names, alternative spellings, demonyms and capitals → ISO 3166 alpha-3.

Built from two kept sources: countryinfo (names, demonyms, capitals, alt spellings, ISO codes) and
pycountry (official and common names), plus `data/country_aliases.csv` for news usage those lists
lack ("U.S.", "Britain", "Kremlin"). Lookups are exact after light normalisation, never fuzzy,
because a wrong country is worse than none.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data"
_APOS = re.compile(r"[’‘`´]")
_TRAIL_POSS = re.compile(r"(?:'s|')$")


@dataclass(frozen=True)
class Place:
    """A gazetteer hit: the ISO3 code, the country's display name and what kind of name matched."""

    iso3: str
    country: str
    kind: str  # name | short_name | demonym | capital | metonym | abbreviation | ...


def normalise_key(text: str) -> str:
    """Lookup key: straight apostrophes, no possessive, no leading 'the', casefolded."""
    t = _APOS.sub("'", text.strip())
    t = _TRAIL_POSS.sub("", t).strip()
    if t.lower().startswith("the "):
        t = t[4:]
    return " ".join(t.split()).casefold()


@lru_cache(maxsize=1)
def _table() -> dict[str, Place]:
    import pycountry
    from countryinfo import all_countries

    names: dict[str, str] = {}
    table: dict[str, Place] = {}

    current = valid_iso3()

    def add(alias: str | None, iso3: str | None, kind: str) -> None:
        if not alias or iso3 not in current or len(alias) < 3 and kind != "abbreviation":
            return  # retired codes (e.g. SCG) would fail validation downstream
        key = normalise_key(alias)
        if key and key not in table:
            table[key] = Place(iso3, names.get(iso3, alias), kind)

    for c in pycountry.countries:
        names[c.alpha_3] = getattr(c, "common_name", None) or c.name
    with open(_DATA / "country_aliases.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["kind"] == "short_name":  # the name news uses beats ISO's long form
            names[row["iso3"]] = row["alias"]
    # Curated news aliases win over generated ones (e.g. "Congo" → DRC).
    for row in rows:
        add(row["alias"], row["iso3"], row["kind"])
    for c in pycountry.countries:
        add(c.name, c.alpha_3, "name")
        add(getattr(c, "common_name", None), c.alpha_3, "name")
        add(getattr(c, "official_name", None), c.alpha_3, "name")
    for info in all_countries():
        try:
            iso3 = info.iso().get("alpha3")
        except Exception:  # countryinfo raises on records without ISO data
            continue
        add(info.name(), iso3, "name")
        for alt in info.alt_spellings() or []:
            if len(alt) > 3 and not alt.isupper():
                add(alt, iso3, "alt_spelling")
        dem = _safe(info.demonym)
        add(dem, iso3, "demonym")
        if dem and not dem.endswith("s"):
            add(dem + "s", iso3, "demonym")
        add(_safe(info.capital), iso3, "capital")
    return table


def _safe(method) -> str | None:
    try:
        value = method()
    except Exception:  # countryinfo raises for missing fields
        return None
    return value if isinstance(value, str) and value else None


def lookup(text: str) -> Place | None:
    """The country a place name, demonym or capital refers to, or None."""
    return _table().get(normalise_key(text))


def country_name(iso3: str) -> str | None:
    """Display name for an ISO3 code ("PRK" → "North Korea")."""
    for place in _table().values():
        if place.iso3 == iso3:
            return place.country
    return None


@lru_cache(maxsize=1)
def valid_iso3() -> frozenset[str]:
    """All ISO 3166 alpha-3 codes plus XKX (Kosovo), for validation."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
