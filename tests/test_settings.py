"""Settings: layered from defaults, a TOML file, DATELINE_* variables and explicit values, typed by
pydantic-settings, with errors that name the variable or key a user has to fix."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from dateline.settings import Settings, SettingsError, load_config


def test_each_layer_overrides_the_one_before() -> None:
    file_values = {"batch_size": 64, "model": "from_file", "n_process": 3}
    env = {"DATELINE_MODEL": "from_env", "DATELINE_N_PROCESS": "2", "DATELINE_USE_BLIS": "yes"}
    s = Settings.from_env(env, file_values=file_values, n_process=1)
    assert (s.batch_size, s.model, s.n_process, s.use_blis) == (64, "from_env", 1, True)
    assert isinstance(s.n_process, int)


def test_env_strings_become_the_field_types() -> None:
    s = Settings.from_env({"DATELINE_DB_PATH": "/tmp/w.duckdb", "DATELINE_QUARANTINE_THRESHOLD": "0.25",
                           "DATELINE_PROGRESS": "off", "DATELINE_STAGING_DIR": ""})
    assert s.db_path == Path("/tmp/w.duckdb") and s.quarantine_threshold == 0.25
    assert s.progress is False and s.staging_dir is None  # an empty variable is unset


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="DATELINE_N_PROCESS='two'.*integer"):
        Settings.from_env({"DATELINE_N_PROCESS": "two"})
    with pytest.raises(SettingsError, match="DATELINE_USE_BLIS='maybe'.*boolean"):
        Settings.from_env({"DATELINE_USE_BLIS": "maybe"})


def test_a_bad_or_unknown_file_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file key 'batch_size'='many'"):
        Settings.from_env({}, file_values={"batch_size": "many"})
    config = tmp_path / "dateline.toml"
    config.write_text('[settings]\nbatchsize = 10\n')
    with pytest.raises(SettingsError, match="unknown setting 'batchsize'"):
        load_config(config, env={})


def test_only_the_given_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATELINE_MODEL", "from_process_env")
    assert Settings.from_env({}).model == Settings().model != "from_process_env"
    assert Settings(batch_size=8).model != "from_process_env"  # direct construction reads no environment
    assert Settings.from_env().model == "from_process_env"


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "dateline.toml"
    config.parent.mkdir()
    config.write_text('[settings]\ndb_path = "data/w.duckdb"\nbatch_size = 32\n[schedule]\ncron = "0 * * * *"\n')
    settings, schedule = load_config(config, env={"DATELINE_BATCH_SIZE": "16"})
    assert settings.db_path == (tmp_path / "conf" / "data" / "w.duckdb").resolve()
    assert settings.batch_size == 16 and schedule.cron == "0 * * * *"


def test_settings_are_immutable_values() -> None:
    s = Settings(batch_size=8)
    with pytest.raises(Exception):
        s.batch_size = 9  # type: ignore[misc]
    copy = s.replace(n_process=2)
    assert (copy.n_process, s.n_process, copy.batch_size) == (2, 0, 8)
    # a worker pool is keyed on settings, and workers receive them pickled
    assert hash(Settings(batch_size=8)) == hash(s) and pickle.loads(pickle.dumps(copy)) == copy
    with pytest.raises(Exception):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


def test_the_cli_says_which_setting_is_bad_in_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATELINE_N_PROCESS": "two"}
    out = subprocess.run([sys.executable, "-m", "dateline.cli", "run", "samples", "--db", str(tmp_path / "w.duckdb")],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        "dateline: bad setting: DATELINE_N_PROCESS='two': Input should be a valid integer, "
        "unable to parse string as an integer"]
    assert not (tmp_path / "w.duckdb").exists()
