"""SIGKILL the pipeline at random moments while it loads, then prove nothing was lost or doubled.

    .venv/bin/python benchmarks/crash.py                      # full: 2,000 BBC articles, 50 kills
    .venv/bin/python benchmarks/crash.py --articles 150 --kills 5 --batch-size 16   # CI size

1. Copies N real articles (../shared/corpora/articles/bbc_news) into a temp folder.
2. Starts one Prefect server on 127.0.0.1 (so each worker skips the ~20 s ephemeral start).
3. Clean run: one worker process runs the `dateline-etl` flow to completion → reference DB.
4. Crash loop: a worker runs the flow on a second DB and is SIGKILLed, alternately after a random
   delay or at the k-th moment the DuckDB `.wal` file appears/grows (i.e. inside a COMMIT or the
   checkpoint that follows it). After every kill the DB must reopen, and every article in it must
   have exactly the mentions and events it has in the reference (no batch half visible).
5. A final worker runs to completion; the tables are compared with the reference.

Prints one line: `crash: kills=… runs=… rows_lost=… rows_duplicated=… …` and exits non-zero on any loss.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BBC = ROOT.parent / "shared" / "corpora" / "articles" / "bbc_news" / "bbc"
TABLES = ("articles", "mentions", "events", "removed_spans", "article_signatures", "raw_fingerprints")


def prepare_corpus(n: int, dest: Path) -> Path:
    """N BBC articles spread over the topics, copied (not linked) into dest."""
    files = sorted(BBC.glob("*/*.txt"))
    if len(files) < n:
        raise SystemExit(f"only {len(files)} BBC articles under {BBC}")
    step = len(files) / n
    picked = [files[int(i * step)] for i in range(n)]
    for f in picked:
        target = dest / f.parent.name / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """A Prefect server on 127.0.0.1 shared by all workers; returns it and the workers' env."""
    port = _free_port()
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_UI_ENABLED="false", PREFECT_LOGGING_LEVEL="ERROR", PREFECT_API_URL="")
    env.pop("PREFECT_API_URL")
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "prefect"), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            raise SystemExit("prefect server exited during start")
    else:
        proc.kill()
        raise SystemExit("prefect server did not start in 180 s")
    return proc, dict(env, PREFECT_API_URL=url)


def worker(src: str, db: str, batch_size: int) -> None:
    """Run the flow once (the process the parent kills)."""
    from dateline.settings import Settings
    from flows.etl import etl

    from warehouse import loader

    settings = Settings.from_env(db_path=Path(db), batch_size=batch_size, lock_timeout_s=60.0)
    real_load = loader.load_batch

    def marked_load(con, batch):  # markers only: the parent decides when to kill
        new = batch.articles.height > 0  # batches already loaded by an earlier run carry no articles
        print("load-begin" if new else "load-begin-empty", flush=True)
        real_load(con, batch)
        print("load-end" if new else "load-end-empty", flush=True)

    loader.load_batch = marked_load
    print("worker-ready", flush=True)
    etl([src], settings)
    print("worker-done", flush=True)


def _worker_cmd(src: Path, db: Path, batch_size: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", str(src), str(db), str(batch_size)]


@dataclass
class Snapshot:
    ok: bool
    error: str | None = None
    mentions: dict[str, int] = field(default_factory=dict)  # article_id → rows (every article present)
    events: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    distinct: dict[str, int] = field(default_factory=dict)  # distinct keys per table (duplicates show here)
    entities: int = 0
    contracts: list[str] = field(default_factory=list)  # warehouse contracts broken (warehouse/contracts.sql)
    running: int = 0  # runs rows still `running` (no run of the loop is alive when a snapshot is taken)


def snapshot(db: Path) -> Snapshot:
    """Open the DB as the next run would (read-write, so the WAL is replayed) and read per-article counts."""
    import duckdb

    if not db.exists():
        return Snapshot(ok=True)
    try:
        con = duckdb.connect(str(db))
    except Exception as exc:  # noqa: BLE001 - any failure to reopen is the finding
        return Snapshot(ok=False, error=f"{type(exc).__name__}: {exc}")
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        if "articles" not in tables:
            return Snapshot(ok=True)
        mentions = dict(con.execute(
            "select a.article_id, count(m.article_id) from articles a left join mentions m using (article_id) group by 1"
        ).fetchall())
        events = dict(con.execute(
            "select a.article_id, count(e.article_id) from articles a left join events e using (article_id) group by 1"
        ).fetchall())
        totals = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
        keys = {"articles": "article_id", "mentions": "article_id, mention_idx", "events": "event_id",
                "removed_spans": "article_id, span_idx", "article_signatures": "article_id",
                "raw_fingerprints": "raw_hash"}
        distinct = {t: con.execute(f"select count(*) from (select distinct {k} from {t})").fetchall()[0][0]
                    for t, k in keys.items()}
        entities = con.execute("select count(*) from entities").fetchall()[0][0]
        from warehouse.contracts import violations

        broken = [str(v) for v in violations(con)]
        running = con.execute("select count(*) from runs where status = 'running'").fetchall()[0][0]
        return Snapshot(True, None, mentions, events, totals, distinct, entities, broken, running)
    finally:
        con.close()


def half_visible(snap: Snapshot, ref: Snapshot) -> list[str]:
    """Articles whose child rows differ from the reference: a batch partly committed."""
    bad = []
    for aid, n in snap.mentions.items():
        if aid not in ref.mentions:
            bad.append(f"{aid}: not in the clean run")
        elif n != ref.mentions[aid] or snap.events.get(aid) != ref.events.get(aid):
            bad.append(f"{aid}: mentions {n}/{ref.mentions[aid]} events {snap.events.get(aid)}/{ref.events.get(aid)}")
    return bad


def _wal_size(db: Path) -> int:
    try:
        return db.with_name(db.name + ".wal").stat().st_size
    except OSError:
        return -1


class _Lines:
    """The worker's stdout read by a thread: load markers with their arrival time."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[tuple[float, str]] = []
        self._t = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._t.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def count(self, marker: str) -> int:
        return sum(1 for _, line in list(self.lines) if line == marker)

    def has(self, marker: str) -> bool:
        return self.count(marker) > 0


def run_once(cmd: list[str], env: dict[str, str], db: Path, *, kill: str | None, rng: random.Random,
             max_delay: float, log, max_loads: int = 2, load_s: float = 0.2) -> tuple[bool, str, dict]:
    """Start a worker and SIGKILL it per `kill`:

    - "delay": after a random delay (anywhere: start, NLP, validation, load, summary);
    - "load": a random moment inside the k-th `load_batch` with new articles (its transaction,
      COMMIT or the checkpoint on close);
    - "wal": the instant the WAL grows during the k-th such `load_batch` (the COMMIT writing it).

    Returns (killed, how, stats of the run: seconds and loads seen).
    """
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    out = _Lines(proc)
    while not out.has("worker-ready"):
        if proc.poll() is not None:
            time.sleep(0.2)
            if not out.has("worker-ready"):
                raise SystemExit(f"worker failed to start (exit {proc.returncode}); see the log")
        time.sleep(0.01)
    t0 = time.monotonic()
    delay = rng.uniform(0.2, max_delay)
    target = rng.randint(1, max(1, max_loads))
    in_load = rng.uniform(0, load_s * 1.5)
    last = _wal_size(db)

    def _kill(how: str) -> tuple[bool, str, dict]:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True, how, {"seconds": time.monotonic() - t0, "loads": out.count("load-begin")}

    while proc.poll() is None:
        now = time.monotonic()
        if kill == "delay" and now - t0 >= delay:
            return _kill(f"delay {delay:.2f}s")
        begun = [t for t, line in list(out.lines) if line == "load-begin"]
        if kill == "load" and len(begun) >= target and now - begun[target - 1] >= in_load:
            return _kill(f"{in_load * 1000:.0f} ms into load #{target}")
        size = _wal_size(db)
        if kill == "wal" and len(begun) >= target and size > last and size > 0:
            return _kill(f"WAL grew to {size} B in load #{target}")
        last = size
        if kill in ("load", "wal") and now - t0 > max_delay * 2:
            return _kill("delay (load not reached)")
        time.sleep(0.0005)
    out._t.join(timeout=5)
    if proc.returncode != 0 or not out.has("worker-done"):
        raise SystemExit(f"worker exited {proc.returncode} without being killed; see the log")
    begun = [t for t, line in out.lines if line == "load-begin"]
    ended = [t for t, line in out.lines if line == "load-end"]
    durations = [e - b for b, e in zip(begun, ended)]
    return False, "completed", {"seconds": time.monotonic() - t0, "loads": len(begun),
                                "load_s": max(durations) if durations else 0.2}


def compare(final: Snapshot, ref: Snapshot) -> dict[str, int]:
    lost = dup = 0
    missing = set(ref.mentions) - set(final.mentions)
    extra = set(final.mentions) - set(ref.mentions)
    lost += len(missing) + sum(ref.mentions[a] + ref.events[a] for a in missing)
    for aid in set(ref.mentions) & set(final.mentions):
        for fm, rm in ((final.mentions[aid], ref.mentions[aid]), (final.events[aid], ref.events[aid])):
            lost += max(0, rm - fm)
            dup += max(0, fm - rm)
    dup += len(extra)
    for t in TABLES:  # rows beyond distinct keys would be duplicates (primary keys forbid them)
        dup += final.totals.get(t, 0) - final.distinct.get(t, 0)
        lost += max(0, ref.totals.get(t, 0) - final.totals.get(t, 0))
        dup += max(0, final.totals.get(t, 0) - ref.totals.get(t, 0)) if t not in ("mentions", "events") else 0
    return {"rows_lost": lost, "rows_duplicated": dup, "missing_articles": len(missing), "extra_articles": len(extra)}


def crash_loop(articles: int, kills: int, batch_size: int, seed: int, workdir: Path, max_delay: float) -> dict:
    rng = random.Random(seed)
    src = prepare_corpus(articles, workdir / "articles")
    log = open(workdir / "workers.log", "w")
    server, env = start_server(workdir / "prefect")
    t_start = time.monotonic()
    try:
        ref_db = workdir / "clean" / "wh.duckdb"
        t0 = time.monotonic()
        _, _, stats = run_once(_worker_cmd(src, ref_db, batch_size), env, ref_db, kill=None, rng=rng,
                               max_delay=1, log=log)
        clean_s = time.monotonic() - t0
        ref = snapshot(ref_db)
        # Kills land anywhere in a run (delay) or inside its k-th load; k is drawn so that runs make
        # progress on average and the loop crosses every stage and still completes.
        loads_per_kill = max(1, round(2 * stats["loads"] / max(1, kills)))
        max_delay = max_delay or max(2.0, stats["seconds"] * min(1.0, 3.0 / kills))
        db = workdir / "crashed" / "wh.duckdb"
        cmd = _worker_cmd(src, db, batch_size)
        done_kills = runs = reopen_failures = broken_contracts = 0
        half: list[str] = []
        while done_kills < kills:
            runs += 1
            killed, how, _ = run_once(cmd, env, db, kill=rng.choice(["delay", "load", "wal"]), rng=rng,
                                      max_delay=max_delay, log=log, max_loads=loads_per_kill,
                                      load_s=stats["load_s"])
            snap = snapshot(db)
            if not snap.ok:
                reopen_failures += 1
                print(f"  run {runs}: DB does not reopen: {snap.error}", flush=True)
            bad = half_visible(snap, ref) if snap.ok else []
            half += bad
            broken_contracts += len(snap.contracts)
            for v in snap.contracts:
                print(f"  run {runs}: contract broken: {v}", flush=True)
            print(f"  run {runs}: {'killed' if killed else 'finished'} ({how}); articles {len(snap.mentions)}"
                  f"/{len(ref.mentions)}; half-visible {len(bad)}", flush=True)
            if killed:
                done_kills += 1
            elif len(snap.mentions) == len(ref.mentions):
                # Everything is in: start the next kills from an empty warehouse so they hit loads again.
                shutil.rmtree(db.parent)
        runs += 1
        run_once(cmd, env, db, kill=None, rng=rng, max_delay=0, log=log)
        final = snapshot(db)
        result = compare(final, ref)
        result.update(kills=done_kills, runs=runs, articles=len(ref.mentions), reopen_failures=reopen_failures,
                      contract_failures=broken_contracts + len(final.contracts), left_running=final.running,
                      half_visible=len(half), mentions=final.totals.get("mentions", 0),
                      events=final.totals.get("events", 0), ref_mentions=ref.totals["mentions"],
                      ref_events=ref.totals["events"], clean_run_s=round(clean_s, 1),
                      total_s=round(time.monotonic() - t_start, 1), staged_left=_staged_left(db),
                      clean_loads=stats["loads"], max_delay_s=round(max_delay, 1), loads_per_kill=loads_per_kill)
        if half:
            result["half_visible_examples"] = half[:5]
        return result
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _staged_left(db: Path) -> int:
    staging = db.with_name(db.name + ".staging")
    return sum(1 for p in staging.iterdir() if not p.name.startswith(".")) if staging.is_dir() else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        worker(argv[1], argv[2], int(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-delay", type=float, default=0.0,
                    help="upper bound of a random kill delay in s (default: from the clean run's duration)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep files here (default: a temp dir, removed)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="dateline-crash-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = crash_loop(args.articles, args.kills, args.batch_size, args.seed, workdir, args.max_delay)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(f"crash: kills={result['kills']} runs={result['runs']} rows_lost={result['rows_lost']} "
          f"rows_duplicated={result['rows_duplicated']} half_visible={result['half_visible']} "
          f"reopen_failures={result['reopen_failures']} contract_failures={result['contract_failures']} "
          f"left_running={result['left_running']} articles={result['articles']} "
          f"mentions={result['mentions']}/{result['ref_mentions']} events={result['events']}/{result['ref_events']} "
          f"seconds={result['total_s']}")
    if args.json:
        print(json.dumps(result))
    bad = (result["rows_lost"] or result["rows_duplicated"] or result["half_visible"] or result["reopen_failures"]
           or result["contract_failures"] or result["left_running"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
