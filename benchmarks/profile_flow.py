"""Profile one whole flow run with pyinstrument and print where the time goes.

    .venv/bin/python benchmarks/profile_flow.py --limit 300      # prints the call tree, writes profile.html

pyinstrument samples the thread it starts on; the flow submits its NLP task to a worker thread,
so for the profile the NLP task runs inline (same code, same order, no overlap). A warm-up run
first pays Prefect's server start and the model load, which the profile then leaves out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=300)
    ap.add_argument("--html", type=Path, default=Path("profile.html"))
    args = ap.parse_args()

    from throughput import load_rows, use_ephemeral_prefect, write_inputs

    from dateline.settings import Settings

    use_ephemeral_prefect("dateline-profile")
    from pyinstrument import Profiler

    from flows import etl as etl_module

    class _Inline:  # run the NLP task in this thread so the profiler sees it
        def __init__(self, task):
            self.task = task

        def submit(self, *a, **kw) -> Future:
            done: Future = Future()
            done.set_result(self.task(*a, **kw))
            return done

    etl_module.nlp_annotations = _Inline(etl_module.nlp_annotations)
    tmp = Path(tempfile.mkdtemp(prefix="dateline-profile-"))
    src, warm = write_inputs(tmp, load_rows(args.limit))
    settings = Settings(db_path=tmp / "p.duckdb", pipeline_version="profile")
    etl_module.etl([str(warm)], settings.replace(db_path=tmp / "warm.duckdb"))

    profiler = Profiler(interval=0.005)
    profiler.start()
    etl_module.etl([str(src)], settings)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    args.html.write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
