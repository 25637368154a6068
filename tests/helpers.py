"""Small helpers shared by the tests: read the warehouse, write JSONL inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb


def query(db: Path, sql: str, params=None) -> list[tuple]:
    """All rows of one query on a warehouse file, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Rows as a JSONL file (the input contract), returning its path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


class FailingOn:
    """A spaCy pipeline that raises on any text containing `marker`, in `pipe` and alone: a
    component bug on one article, without adding a component to a shared (cached) pipeline."""

    def __init__(self, nlp, marker: str, message: str = "component failed"):
        self.nlp, self.marker, self.message = nlp, marker, message

    def __call__(self, text: str):
        if self.marker in text:
            raise ValueError(self.message)
        return self.nlp(text)

    def pipe(self, texts, **_kwargs):
        for text in texts:
            yield self(text)


# Headless Chromium with every route off the machine refused: a page that needs the network fails
OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
           "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--virtual-time-budget=20000", "--window-size=1300,2000"]


def offline_dom(page: Path, tmp: Path) -> tuple[str, str]:
    """The page's DOM after its scripts ran in Debian's headless chromium with no network, and
    the browser's console log."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is required (make test installs it with apt-get)"
    done = subprocess.run([chromium, *OFFLINE, f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180)
    console = "\n".join(line for line in done.stderr.splitlines() if ":CONSOLE" in line)
    return done.stdout, console
