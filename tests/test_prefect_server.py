"""Against a real Prefect server: the flow run COMPLETES, its task runs and artifacts exist,
and the UI's flow-run page, opened in headless Chromium, shows the flow and the summary."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, SAMPLES

BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`prefect server start` on a free 127.0.0.1 port with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(1)
    else:
        proc.kill()
        raise RuntimeError("prefect server did not start in 180 s")
    yield {"url": url, "home": home, "env": env}
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def flow_run(server, tmp_path_factory):
    """Run `dateline run samples/` as a user would, pointed at the server."""
    db = tmp_path_factory.mktemp("wh") / "dateline.duckdb"
    # no PREFECT_API_URL: the run finds the server on its `ui_port` (as after `dateline ui`)
    env = {**server["env"], "DATELINE_UI_PORT": server["url"].rsplit(":", 1)[1]}
    env.pop("PREFECT_LOGGING_LEVEL", None)  # the CLI's own default, as a user gets it
    done = subprocess.run([str(BIN / "dateline"), "run", str(SAMPLES), "--db", str(db)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"using the Prefect server at {server['url']}" in done.stderr
    runs = httpx.post(f"{server['url']}/api/flow_runs/filter", json={"limit": 10}, timeout=30).json()
    assert runs, "no flow run recorded on the server"
    return runs[0], server["url"]


def _listeners(port: int) -> set[str]:
    """Local addresses listening on `port`, read from the kernel's socket tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_server_binds_loopback_only(server):
    port = int(server["url"].rsplit(":", 1)[1])
    listeners = _listeners(port)
    assert listeners == {"0100007F"}, listeners  # 127.0.0.1, nothing on 0.0.0.0 or ::


def test_flow_run_completed_with_tasks_and_artifacts(flow_run):
    run, url = flow_run
    assert run["state_type"] == "COMPLETED"
    flow = httpx.get(f"{url}/api/flows/{run['flow_id']}", timeout=30).json()
    assert flow["name"] == "dateline-etl"
    tasks = httpx.post(f"{url}/api/task_runs/filter",
                       json={"flow_runs": {"id": {"any_": [run["id"]]}}, "limit": 200}, timeout=30).json()
    names = {t["name"].rsplit("-", 1)[0] for t in tasks}
    assert {"articles", "mentions-entities-events", "validate", "load"} <= names
    assert all(t["state_type"] == "COMPLETED" for t in tasks)
    arts = httpx.post(f"{url}/api/artifacts/filter",
                      json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}, timeout=30).json()
    by_key = {a["key"]: a for a in arts}
    summary = by_key["dateline-run-summary"]["data"]
    # read 1 (the .txt and the .jsonl row are one article), loaded 1, 1 duplicate
    assert "| 1 | 1 | 0 | 1 |" in summary
    assert "Kim Jong-un" in summary and "North Korea" in summary
    assert "dateline-sources" in by_key and "dateline-report" in by_key
    logs = httpx.post(f"{url}/api/logs/filter", json={"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200},
                      timeout=30).json()
    assert any(entry["message"].startswith("batch 0: 1 loaded") for entry in logs), [e["message"] for e in logs]
    assert by_key["dateline-progress"]["data"] == 100.0  # the progress artifact reached the end


def test_ui_flow_run_page_in_headless_chromium(flow_run):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is required (make test installs it with apt-get)"
    run, url = flow_run
    ARTIFACTS.mkdir(exist_ok=True)
    page = f"{url}/runs/flow-run/{run['id']}"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
             "--virtual-time-budget=20000", "--window-size=1400,1000"]
    profile = ARTIFACTS / ".chromium-profile"
    dom = subprocess.run([chromium, *flags, f"--user-data-dir={profile}", "--dump-dom", page],
                         capture_output=True, text=True, timeout=180).stdout
    shot = ARTIFACTS / "prefect-flow-run.png"
    subprocess.run([chromium, *flags, f"--user-data-dir={profile}", f"--screenshot={shot}", page],
                   capture_output=True, text=True, timeout=180)
    assert run["name"] in dom and "dateline-etl" in dom
    arts = httpx.post(f"{url}/api/artifacts/filter",
                      json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}, "key": {"any_": ["dateline-run-summary"]}}},
                      timeout=30).json()
    art_page = f"{url}/artifacts/artifact/{arts[0]['id']}"
    art_shot = ARTIFACTS / "prefect-run-summary-artifact.png"
    dom2 = subprocess.run([chromium, *flags, f"--user-data-dir={profile}", "--dump-dom", art_page],
                          capture_output=True, text=True, timeout=180).stdout
    subprocess.run([chromium, *flags, f"--user-data-dir={profile}", f"--screenshot={art_shot}", art_page],
                   capture_output=True, text=True, timeout=180)
    assert "Top entities" in dom2 and "Kim Jong-un" in dom2
    assert shot.exists() and shot.stat().st_size > 10_000


def test_serve_registers_a_cron_deployment_with_concurrency_one(server, tmp_path):
    cfg = tmp_path / "dateline.toml"
    cfg.write_text(
        '[schedule]\nname = "nightly-test"\ncron = "*/15 * * * *"\nsources = ["%s"]\n'
        '[settings]\ndb_path = "wh/dateline.duckdb"\n' % SAMPLES, encoding="utf-8")
    env = {**server["env"], "PREFECT_API_URL": f"{server['url']}/api"}
    proc = subprocess.Popen([str(BIN / "dateline"), "serve", "--config", str(cfg)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        deployment = None
        while time.monotonic() < deadline and deployment is None:
            found = httpx.post(f"{server['url']}/api/deployments/filter",
                               json={"deployments": {"name": {"any_": ["nightly-test"]}}}, timeout=30).json()
            deployment = found[0] if found else None
            time.sleep(1)
        assert deployment is not None, "deployment not registered"
        crons = [s["schedule"].get("cron") for s in deployment["schedules"]]
        assert crons == ["*/15 * * * *"]
        assert deployment["parameters"]["sources"] == [str(SAMPLES)]
        assert deployment["parameters"]["settings"]["db_path"] == str(tmp_path / "wh" / "dateline.duckdb")
        limit = deployment.get("global_concurrency_limit") or {}
        assert limit.get("limit") == 1
        # A run of the deployment is picked up by the serving process and completes.
        # `serve` may apply the deployment again while it starts (a new id): ask by name until one takes
        created: dict = {}
        while time.monotonic() < deadline + 60 and "id" not in created:
            found = httpx.post(f"{server['url']}/api/deployments/filter",
                               json={"deployments": {"name": {"any_": ["nightly-test"]}}}, timeout=30).json()
            created = httpx.post(f"{server['url']}/api/deployments/{found[0]['id']}/create_flow_run",
                                 json={}, timeout=30).json()
            if "id" not in created:
                time.sleep(2)
        assert "id" in created, created
        state = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and state not in {"COMPLETED", "FAILED", "CRASHED"}:
            time.sleep(2)
            state = httpx.get(f"{server['url']}/api/flow_runs/{created['id']}", timeout=30).json()["state_type"]
        assert state == "COMPLETED"
        assert (tmp_path / "wh" / "dateline.duckdb").exists()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
