"""cdnsim.mrc against `cdnsim mrc`, and cdnsim.sweep of a scenario dict against the same sweep of its file."""

import _thread
import json
import threading
import time
import tomllib

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cdnsim
from test_errors import cli_error, ctrl_c_raises  # noqa: F401 (a fixture)
from test_run import QUICKSTART

# The hand-worked trace of tests/it/mrc.rs::a_curve_worked_by_hand. Requests (object:size) and their stack
# distances (the bytes of the distinct objects used since the object's last use, plus its own size):
#   1 a:3  cold
#   2 b:2  cold
#   3 c:4  cold
#   4 a:3  b, c above: 2 + 4 = 6, + 3 = 9
#   5 b:2  c, a above: 4 + 3 = 7, + 2 = 9
#   6 d:1  cold
#   7 a:3  b, d above: 2 + 1 = 3, + 3 = 6
#   8 c:4  a, b, d above: 3 + 2 + 1 = 6, + 4 = 10
# 22 bytes in all. At 4 bytes no distance fits: 8 misses, 22 bytes. At 9: requests 4, 5 and 7 hit (3 + 2 + 3 =
# 8 bytes): 5 misses, 14 bytes. At 10: request 8 too (4 bytes): 4 misses (the 4 cold ones), 10 bytes.
HAND = "time,obj_id,obj_size\n0,a,3\n1,b,2\n2,c,4\n3,a,3\n4,b,2\n5,d,1\n6,a,3\n7,c,4\n"
COLUMNS = ["policy", "size_bytes", "requests", "misses", "bytes", "miss_bytes"]
# A short sweep: two points of the quickstart scenario, 20,000 requests each.
SWEEP = dict(vary={"caches.edge.capacity": ["64 MiB", "256 MiB"]}, requests=20000, jobs=2,
             set={"simulation.warmup": "5 s"})


@pytest.fixture
def hand(tmp_path):
    trace = tmp_path / "hand.csv"
    trace.write_text(HAND)
    return trace


def rows(result):
    return list(result.rows[COLUMNS].itertuples(index=False, name=None))


def cli_files(cli, out, *args):
    code, _, stderr = cli("mrc", *args, "--no-progress", "--out", out)
    assert code == 0, stderr
    return {name: (out / name).read_bytes() for name in ["mrc.csv", "mrc.json"]}


def test_the_hand_worked_curve_is_the_command_line_s(cli, hand, tmp_path):
    result = cdnsim.mrc(hand, sizes=[4, 9, 10])
    assert rows(result) == [("lru", 4, 8, 8, 22, 22), ("lru", 9, 8, 5, 22, 14), ("lru", 10, 8, 4, 22, 10)]
    assert list(result.rows.miss_ratio) == [8 / 8, 5 / 8, 4 / 8]
    assert list(result.rows.byte_miss_ratio) == [22 / 22, 14 / 22, 10 / 22]
    # The summary is mrc.json but its rows: 8 requests, 22 bytes, 4 objects whose sizes sum to a 10-byte working
    # set, from 1 byte (d) to 4 (c); three sizes, so the stack pass.
    s = result.summary
    assert "rows" not in s
    assert (s["requests"], s["bytes"], s["objects"], s["working_set_bytes"]) == (8, 22, 4, 10)
    assert (s["smallest_request_bytes"], s["largest_request_bytes"], s["lru_method"]) == (1, 4, "stack-distances")
    # The command line's files, byte for byte, and `write` writes those bytes.
    expected = cli_files(cli, tmp_path / "cli", hand, "--sizes", "4,9,10")
    assert result.files == expected
    written = result.write(tmp_path / "package")
    assert {name: (written / name).read_bytes() for name in expected} == expected
    assert json.loads(expected["mrc.json"])["rows"][1]["misses"] == 5
    # The sizes as the command line's text, or one number: the same rows.
    assert cdnsim.mrc(hand, sizes="4, 9,10").files == expected
    assert rows(cdnsim.mrc(hand, sizes=9)) == [("lru", 9, 8, 5, 22, 14)]


def test_a_policy_list_is_the_command_line_s(cli, hand, tmp_path):
    result = cdnsim.mrc(hand, sizes=["4 B", "9 B", "10 B"], policy=["fifo", "lru", "belady"], threads=1)
    assert result.files == cli_files(cli, tmp_path / "cli", hand, "--sizes", "4,9,10", "--policy", "fifo,lru,belady")
    # Rows in the order asked, then Belady; every policy at every size.
    assert list(result.rows.policy) == ["fifo"] * 3 + ["lru"] * 3 + ["belady"] * 3
    # FIFO at 9 bytes: a, b, c miss (9 bytes held); a, b hit; d misses and evicts the oldest, a (3 + 2 + 4 + 1 =
    # 10 > 9); a misses and evicts b (4 + 1 + 3 = 8); c hits. 5 misses: 3 + 2 + 4 + 1 + 3 = 13 bytes.
    assert rows(result)[1] == ("fifo", 9, 8, 5, 22, 13)
    # No policy beats Belady's MIN; every row keeps misses <= requests and miss bytes <= bytes.
    by = result.rows.set_index(["policy", "size_bytes"])
    for size in [4, 9, 10]:
        assert by.loc[("belady", size), "misses"] <= min(by.loc[(p, size), "misses"] for p in ["fifo", "lru"])
    assert (result.rows.misses <= result.rows.requests).all()
    assert (result.rows.miss_bytes <= result.rows.bytes).all()
    # `all`, on one thread and on three: the command line's bytes both times (the threads change nothing).
    everything = cli_files(cli, tmp_path / "all", hand, "--sizes", "4,9,10", "--policy", "all")
    assert cdnsim.mrc(hand, sizes="4,9,10", policy="all", threads=1).files == everything
    assert cdnsim.mrc(hand, sizes="4,9,10", policy="all", threads=3).files == everything


def test_bad_input_raises_the_command_line_s_message(cli, hand, tmp_path):
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.mrc(hand, sizes=[0])
    assert str(raised.value) == "--sizes: a cache size must be at least 1 byte"
    assert str(raised.value) == cli_error(cli, "mrc", hand, "--sizes", "0")
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.mrc(hand, policy=["lru", "mru"])
    assert str(raised.value).startswith("--policy: ") and "mru" in str(raised.value)
    assert str(raised.value) == cli_error(cli, "mrc", hand, "--policy", "lru,mru")
    with pytest.raises(cdnsim.Error, match="--sample-rate and --sample-objects"):
        cdnsim.mrc(hand, sample_rate=0.5, sample_objects=10)
    with pytest.raises(cdnsim.Error, match="--threads must be at least 1"):
        cdnsim.mrc(hand, threads=0)
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.mrc(missing)
    assert str(missing) in str(raised.value)


def test_ctrl_c_stops_the_reading_within_a_second(ctrl_c_raises, tmp_path):  # noqa: F811 (the fixture)
    # 4 million requests over 100,000 objects: longer to read than the test waits, even with a fast build.
    trace = tmp_path / "long.csv"
    with trace.open("w") as f:
        f.write("time,obj_id,obj_size\n")
        f.writelines(f"{i},{i * 7919 % 100_000},{1 + i % 13}\n" for i in range(4_000_000))
    interrupted_at = []

    def interrupt():
        interrupted_at.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cdnsim.mrc(trace, sizes=[1000], policy="fifo")
        stopped_at = time.monotonic()
    finally:
        timer.cancel()
    assert interrupted_at, "the reading ended before the interrupt: make the trace longer"
    assert stopped_at - interrupted_at[0] < 1.0, f"stopped {stopped_at - interrupted_at[0]:.2f} s after Ctrl-C"


def test_a_dict_sweep_is_the_sweep_of_its_file(tmp_path):
    with open(QUICKSTART, "rb") as f:
        scenario = tomllib.load(f)
    from_file = cdnsim.sweep(QUICKSTART, **SWEEP, out=tmp_path / "file")
    from_dict = cdnsim.sweep(scenario, **SWEEP, out=tmp_path / "dict")
    assert len(from_dict.runs) == 2 and from_dict.failed == 0
    assert_frame_equal(from_dict.runs, from_file.runs)
    assert_frame_equal(from_dict.points, from_file.points)
    # The manifests differ only in the file swept: the dict's TOML, kept next to the rows that name it.
    kept = tmp_path / "dict" / "scenario.toml"
    assert from_dict.manifest["scenario"] == str(kept)
    assert {**from_dict.manifest, "scenario": None} == {**from_file.manifest, "scenario": None}
    assert tomllib.loads(kept.read_text()) == scenario
    # Without `out`, from a temporary folder: the same rows.
    assert_frame_equal(cdnsim.sweep(scenario, **SWEEP).runs, from_file.runs)


def test_a_dict_sweep_refuses_a_bad_dict_and_another_scenario_s_folder(tmp_path):
    with open(QUICKSTART, "rb") as f:
        scenario = tomllib.load(f)
    broken = {**scenario, "traffic": {**scenario["traffic"], "zipf_alfa": 1.1}}
    out = tmp_path / "sweep"
    with pytest.raises(cdnsim.Error) as raised:
        cdnsim.sweep(broken, **SWEEP, out=out)
    assert str(raised.value).startswith("<scenario dict>:") and "zipf_alfa" in str(raised.value)
    assert not out.exists(), "nothing is written for a dict that is no scenario"
    # A bad vary: refused, and the scenario written for it removed again.
    with pytest.raises(cdnsim.Error, match="--vary"):
        cdnsim.sweep(scenario, vary={"caches.edge.capacity": "1:2:0"}, out=out)
    assert not (out / "scenario.toml").exists()
    cdnsim.sweep(scenario, **SWEEP, out=out)
    other = {**scenario, "simulation": {**scenario["simulation"], "seed": 2}}
    with pytest.raises(cdnsim.Error, match="scenario.toml: holds another scenario"):
        cdnsim.sweep(other, **SWEEP, out=out)
    # The same dict again: the sweep's own refusal of a folder that holds its rows.
    with pytest.raises(cdnsim.Error, match="already holds a sweep's rows"):
        cdnsim.sweep(scenario, **SWEEP, out=out)
    assert tomllib.loads((out / "scenario.toml").read_text()) == scenario
