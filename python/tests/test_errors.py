"""Bad input raises cdnsim.Error with the command line's message; Ctrl-C stops a run promptly."""

import _thread
import signal
import threading
import time

import pytest

import cdnsim
from conftest import ROOT
from test_run import QUICKSTART, one_cache


@pytest.fixture
def ctrl_c_raises():
    """SIGINT handled as an interactive Python handles it. A process that a
    non-interactive shell starts in the background (as a CI runner may)
    inherits SIGINT ignored, and then `_thread.interrupt_main` does nothing,
    as a real Ctrl-C would: the run would go on to its end."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def cli_error(cli, *args):
    code, _, stderr = cli(*args)
    assert code == 2, stderr
    prefix = "cdnsim: error: "
    assert stderr.startswith(prefix), stderr
    return stderr[len(prefix):].strip()


def test_errors_are_value_errors():
    assert issubclass(cdnsim.Error, ValueError)
    assert issubclass(cdnsim.AccountingError, RuntimeError)


def test_a_broken_scenario_dict_names_the_field_and_the_fix():
    broken = one_cache(10)
    broken["caches"]["edge"]["eviction"] = "most-recent"
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.run(broken)
    message = str(raised.value)
    assert message.startswith("<scenario dict>:"), message
    assert "caches.edge.eviction" in message and "most-recent" in message, message
    unknown = one_cache(10)
    unknown["simulation"]["sede"] = 3
    with pytest.raises(cdnsim.Error, match="sede"):
        cdnsim.run(unknown)
    with pytest.raises(cdnsim.Error, match="no None"):
        cdnsim.run({"simulation": {"seed": None}})


def test_a_bad_set_path_gives_the_command_line_s_message(cli):
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.run(QUICKSTART, set={"traffic.zipf_alfa": 1.1})
    assert str(raised.value) == cli_error(cli, "run", QUICKSTART, "--set", "traffic.zipf_alfa=1.1", "--out",
                                          ROOT / "target" / "py-never-written")
    assert "zipf_alfa" in str(raised.value)
    with pytest.raises(cdnsim.Error, match="expected PATH=VALUE|dotted field names"):
        cdnsim.run(QUICKSTART, set={"": 1})
    with pytest.raises(cdnsim.Error, match=r"set\['traffic.rate'\].*dict"):
        cdnsim.run(QUICKSTART, set={"traffic.rate": {}})


def test_a_missing_file_names_it(cli, tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.replay(missing, cache_size="1 MiB")
    assert str(missing) in str(raised.value)
    assert str(raised.value) == cli_error(cli, "replay", missing, "--cache-size", "1 MiB")
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.run(QUICKSTART, trace=missing)
    assert str(missing) in str(raised.value)
    with pytest.raises(cdnsim.Error, match="nowhere.toml"):
        cdnsim.run(tmp_path / "nowhere.toml")


def test_bad_arguments_give_the_command_line_s_messages():
    with pytest.raises(cdnsim.Error, match="--requests must be at least 1"):
        cdnsim.run(QUICKSTART, requests=0)
    with pytest.raises(cdnsim.Error, match="--cache-size must be at least 1 byte"):
        cdnsim.replay(ROOT / "tests" / "fixtures" / "trace" / "small.csv", cache_size=0)
    with pytest.raises(cdnsim.Error, match="--policy"):
        cdnsim.replay(ROOT / "tests" / "fixtures" / "trace" / "small.csv", cache_size=10, policy="mru")


def test_ctrl_c_stops_a_run_within_a_second(ctrl_c_raises):
    # The whole quickstart scenario (a million requests) takes far longer than the test waits.
    interrupted_at = []

    def interrupt():
        interrupted_at.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cdnsim.run(QUICKSTART, requests=50_000_000)
        stopped_at = time.monotonic()
    finally:
        timer.cancel()
    assert interrupted_at, "the run ended before the interrupt: make it longer"
    assert stopped_at - interrupted_at[0] < 1.0, f"stopped {stopped_at - interrupted_at[0]:.2f} s after Ctrl-C"
    # The package still works after an interrupted run.
    assert cdnsim.run(one_cache(3)).summary["requests"] == 3


def test_ctrl_c_stops_a_sweep_and_its_runs_in_flight_within_a_second(ctrl_c_raises, tmp_path):
    # Two long runs at once: the interrupt comes while both are in flight, and neither may finish first.
    interrupted_at = []

    def interrupt():
        interrupted_at.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    out = tmp_path / "sweep"
    try:
        with pytest.raises(KeyboardInterrupt):
            cdnsim.sweep(QUICKSTART, vary={"traffic.zipf_alpha": [0.8, 0.9]}, jobs=2, requests=50_000_000, out=out)
        stopped_at = time.monotonic()
    finally:
        timer.cancel()
    assert interrupted_at, "the sweep ended before the interrupt: make it longer"
    assert stopped_at - interrupted_at[0] < 1.0, f"stopped {stopped_at - interrupted_at[0]:.2f} s after Ctrl-C"
    # No row was written for a stopped run: only the header, so `--resume` would run both.
    assert (out / "sweep.csv").read_text().count("\n") == 1
