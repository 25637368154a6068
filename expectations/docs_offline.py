"""Data Docs that open with no network: GX's page templates load Bootstrap, jQuery, bootstrap-table,
Font Awesome and Vega from CDNs (without them a results table renders empty and unstyled) and
put a tracking image (the GX logo with the project's id in its URL) on every index.

After each build, the vendored copies in `assets/` (unchanged npm files; see `assets/README.md`)
are copied into the site's `static/vendor/`, and each page written by that build has its CDN
addresses pointed at them and the tracking image at the site's own logo.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
REPORT_ASSETS = Path(__file__).resolve().parents[1] / "transforms" / "assets"  # vega, vega-lite: the report's copies

# CDN address (a regular expression over the page) → file under static/vendor/
LOCAL = {
    r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.3\.1/css/bootstrap\.min\.css": "bootstrap.min.css",
    r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.3\.1/js/bootstrap\.min\.js": "bootstrap.min.js",
    r"https://code\.jquery\.com/jquery-3\.\d+\.\d+\.min\.js": "jquery.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/1\.[\d.]+/umd/popper\.min\.js": "popper.min.js",
    r"https://unpkg\.com/bootstrap-table@1\.[\d.]+/dist/bootstrap-table\.min\.css": "bootstrap-table.min.css",
    r"https://unpkg\.com/bootstrap-table@1\.[\d.]+/dist/bootstrap-table\.min\.js": "bootstrap-table.min.js",
    r"https://unpkg\.com/bootstrap-table@1\.[\d.]+/dist/extensions/filter-control/bootstrap-table-filter-control(?:\.min)?\.css":
        "bootstrap-table-filter-control.min.css",
    r"https://unpkg\.com/bootstrap-table@1\.[\d.]+/dist/extensions/filter-control/bootstrap-table-filter-control\.min\.js":
        "bootstrap-table-filter-control.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/css/bootstrap-datepicker\.min\.css":
        "bootstrap-datepicker.min.css",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/1\.9\.0/js/bootstrap-datepicker\.min\.js":
        "bootstrap-datepicker.min.js",
    r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/6\.[\d.]+/css/all\.min\.css": "fontawesome/css/all.min.css",
    r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@1\.1\.0/dist/css/bootstrap-prefers-dark\.css":
        "bootstrap-prefers-dark.min.css",
    r"https://cdn\.jsdelivr\.net/npm/vega@5": "vega.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-lite@5": "vega-lite.min.js",
    r"https://cdn\.jsdelivr\.net/npm/vega-embed@6": "vega-embed.min.js",
}
_LOCAL = [(re.compile(f'(?<=["\'(]){pattern}(?=["\')])'), name) for pattern, name in LOCAL.items()]
_TRACKING_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[\w.-]*\.amazonaws\.com/logo-long\.png\?[^\"']*")
_DARK_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[\w.-]*\.amazonaws\.com/full_logo_dark\.png")
_VENDOR_TAG = re.compile(r"<(?:script|link)\b[^>]*static/vendor/[^>]*>")
_CORS_ATTRS = re.compile(r"""\s+(?:integrity|crossorigin)=(?:"[^"]*"|'[^']*'|\S+)""")
_ANY_FETCH = re.compile(r"""(?:src=|<link[^>]*href=|url\()["']?(https?://[^"')\s>]+)""")


def install_assets(site: Path) -> Path:
    """Copy the vendored files into the site's `static/vendor/` (once; a copy is kept while its
    size matches)."""
    vendor = site / "static" / "vendor"
    sources = [(p, p.relative_to(ASSETS)) for p in ASSETS.rglob("*")
               if p.is_file() and "licenses" not in p.parts and p.suffix != ".md"]
    sources += [(REPORT_ASSETS / name, Path(name)) for name in ("vega.min.js", "vega-lite.min.js")]
    for src, rel in sources:
        dest = vendor / rel
        if not dest.exists() or dest.stat().st_size != src.stat().st_size:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
    return vendor


def localize_page(html: str, to_site: str) -> str:
    """The page with every CDN asset and the tracking image pointed into the site (`to_site`:
    the relative path from the page's folder to the site root, '' or '../../')."""
    for pattern, name in _LOCAL:
        html = pattern.sub(f"{to_site}static/vendor/{name}", html)
    # a file:// page has no origin: a CORS-mode request ("crossorigin", needed for "integrity")
    # to a local file is refused, so the local copies are loaded as plain scripts and styles
    html = _VENDOR_TAG.sub(lambda tag: _CORS_ATTRS.sub("", tag.group(0)), html)
    html = _TRACKING_LOGO.sub(f"{to_site}static/images/logo-long.png", html)
    return _DARK_LOGO.sub(f"{to_site}static/images/logo-long.png", html)


def remote_fetches(html: str) -> list[str]:
    """Addresses a browser would fetch on opening the page (links a reader may follow are not
    fetches)."""
    return _ANY_FETCH.findall(html)


def localize_site(site: Path, since: float = 0.0) -> list[Path]:
    """Make the pages written at or after `since` (a time.time()) open offline; returns them."""
    install_assets(site)
    done = []
    for page in site.rglob("*.html"):
        if page.stat().st_mtime < since or "vendor" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        depth = len(page.relative_to(site).parts) - 1
        fixed = localize_page(html, "../" * depth)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")
        done.append(page)
    return done
