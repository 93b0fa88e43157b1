"""cdnsim.run and cdnsim.replay: the command line's results, worked examples, identities, determinism."""

import io
import json

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cdnsim
from conftest import ROOT

QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")
SMALL_TRACE = ROOT / "tests" / "fixtures" / "trace" / "small.csv"
# A short run of the quickstart scenario, measured after a 5 s warm-up.
SHORT = {"simulation.warmup": "5 s", "traffic.objects": 20000}


def one_cache(requests, ttl="36500 d", capacity="30 B", size="1 B", objects=1):
    """A scenario dict: one edge in front of an S3 origin, no latency, no warm-up, no collapsing (the
    one-cache scenario `cdnsim replay` uses, written as a dict)."""
    return {
        "simulation": {"name": "one-cache", "requests": requests, "warmup": 0, "metrics_interval": "1 d",
                       "collapse_requests": False},
        "topology": {
            "regional_caches": [{"region": "us-east-1"}],
            "edges": [{"name": "cache", "regional_cache": "us-east-1", "viewer_rtt": "0 ms",
                       "regional_rtt": "0 ms"}],
            "links": [{"from": "us-east-1", "to": "origin", "rtt": "0 ms"}],
        },
        "caches": {"edge": {"capacity": capacity, "eviction": "lru"}, "regional": {"capacity": "1 B"}},
        "origins": [{"name": "origin", "kind": "s3", "region": "us-east-1", "latency": "0 ms",
                     "concurrency": 1000000}],
        "distribution": {"default_behavior": {"origin": "origin", "min_ttl": 0, "default_ttl": ttl,
                                              "max_ttl": ttl}},
        "traffic": {"rate": 1, "classes": [{"name": "one", "share": 1, "objects": objects, "path": "/{id}",
                                            "size": size}]},
    }


def test_run_gives_the_command_line_s_summary_and_files_byte_for_byte(cli, tmp_path):
    result = cdnsim.run(QUICKSTART, seed=3, requests=30000, set=SHORT)
    out = tmp_path / "cli"
    sets = [a for k, v in SHORT.items() for a in ("--set", f"{k}={v}")]
    code, stdout, stderr = cli("run", QUICKSTART, "--seed", 3, "--requests", 30000, *sets, "--format", "json",
                               "--no-progress", "--out", out)
    assert code == 0, stderr
    assert result.summary == json.loads(stdout)
    cli_files = sorted(p.name for p in out.iterdir())
    assert sorted(result.files) == cli_files
    for name in cli_files:
        assert result.files[name] == (out / name).read_bytes(), name
        if name.endswith(".csv"):
            assert_frame_equal(result.table(name), pd.read_csv(out / name))
    # The tables the issue names, with the CSV files' columns.
    for table in ["tiers", "behaviors", "timeseries", "failover", "signing"]:
        frame = getattr(result, table)
        assert list(frame.columns) == list(pd.read_csv(out / f"{table}.csv").columns)
    written = result.write(tmp_path / "package")
    for name in cli_files:
        assert (written / name).read_bytes() == (out / name).read_bytes(), name


def test_replay_gives_the_command_line_s_summary_and_files(cli, tmp_path):
    result = cdnsim.replay(SMALL_TRACE, cache_size="1000", policy="s3-fifo")
    out = tmp_path / "cli"
    code, stdout, stderr = cli("replay", SMALL_TRACE, "--cache-size", "1000", "--policy", "s3-fifo", "--format",
                               "json", "--no-progress", "--out", out)
    assert code == 0, stderr
    assert result.summary == json.loads(stdout)
    assert sorted(result.files) == sorted(p.name for p in out.iterdir())
    for name, data in result.files.items():
        assert data == (out / name).read_bytes(), name
    # The fixture's two malformed lines are skipped and counted, as the command line says on stderr.
    assert result.summary["trace"]["malformed"]["count"] == 2
    assert result.summary["requests"] == 200


def test_a_run_on_a_trace_gives_the_command_line_s_summary_and_files(cli, tmp_path):
    scenario = ROOT / "tests" / "fixtures" / "trace" / "logs"
    result = cdnsim.run(QUICKSTART, trace=scenario, set={"simulation.warmup": 0})
    out = tmp_path / "cli"
    code, stdout, stderr = cli("run", QUICKSTART, "--trace", scenario, "--set", "simulation.warmup=0", "--format",
                               "json", "--no-progress", "--out", out)
    assert code == 0, stderr
    assert result.summary == json.loads(stdout)
    for name, data in result.files.items():
        assert data == (out / name).read_bytes(), name
    assert "trace.json" in result.files


def test_worked_example_lru_replay(tmp_path):
    # Four objects of 10 B through a 30 B LRU cache: a b c a d b.
    #   a miss [a]; b miss [a b]; c miss [a b c]; a hit [b c a];
    #   d miss, evicts b (least recent) [c a d]; b miss, evicts c [a d b].
    # 6 requests, 1 hit, 5 misses; 60 B requested, 10 B hit.
    trace = tmp_path / "t.csv"
    trace.write_text("time,obj_id,obj_size\n0,a,10\n1,b,10\n2,c,10\n3,a,10\n4,d,10\n5,b,10\n")
    s = cdnsim.replay(trace, cache_size="30 B").summary
    assert (s["requests"], s["hits"], s["misses"]) == (6, 1, 5)
    assert (s["bytes_requested"], s["bytes_hit"]) == (60, 10)
    assert s["hit_ratio"] == 0.166667  # 1/6, rounded to 6 decimals as the summary writes ratios
    # FIFO keeps a in front of the queue: d evicts a (first in), b is still there.
    #   a b c miss [a b c]; a hit [a b c]; d miss, evicts a [b c d]; b hit. 2 hits.
    assert cdnsim.replay(trace, cache_size=30, policy="fifo").summary["hits"] == 2


def test_worked_example_ttl_replay(tmp_path):
    # Object a at 0 s, 5 s and 20 s: kept forever, the last two hit; with a 10 s TTL the copy stored at 0 s is
    # stale at 20 s and revalidated: 1 hit and 1 refresh hit (as tests/it/replay.rs).
    trace = tmp_path / "t.csv"
    trace.write_text("time,obj_id,obj_size\n0,a,10\n5,a,10\n20,a,10\n")
    assert cdnsim.replay(trace, cache_size="100").summary["hits"] == 2
    s = cdnsim.replay(trace, cache_size="100", ttl="10 s").summary
    assert (s["hits"], s["refresh_hits"]) == (1, 1)


def test_worked_example_one_object_from_a_dict():
    # One object of 1 B, 10 requests a second apart, no latency: the first misses at the edge and at the
    # regional cache and goes to the origin; each of the other 9 finds it at the edge (each request ends
    # before the next starts, so none waits on another). hits 9, misses 1, origin requests 1, 10 B requested, 9 B hit.
    s = cdnsim.run(one_cache(10)).summary
    assert (s["requests"], s["hits"], s["misses"], s["origin_requests"]) == (10, 9, 1, 1)
    assert (s["bytes_requested"], s["bytes_hit"]) == (10, 9)
    assert s["hit_ratio"] == pytest.approx(0.9)
    # `set` and `requests` apply to a dict as to a file: 25 requests, still one origin request.
    s = cdnsim.run(one_cache(10), requests=25, set={"traffic.rate": 2}).summary
    assert (s["requests"], s["hits"], s["origin_requests"]) == (25, 24, 1)


def test_identities_hold_in_the_frames():
    result = cdnsim.run(QUICKSTART, requests=30000, set=SHORT)
    s = result.summary
    # The result types partition the requests.
    assert s["hits"] + s["refresh_hits"] + s["misses"] + s["errors"] + s["redirects"] == s["requests"]
    ts = result.timeseries
    assert ts.requests.sum() == s["requests"]
    # Per interval, the tiers' hits add up to the hits.
    assert (ts.edge_hits + ts.regional_hits + ts.shield_hits == ts.hits).all()
    behaviors = result.behaviors
    assert behaviors.requests.sum() == s["requests"]
    assert result.table("summary").iloc[0]["requests"] == s["requests"]


def test_the_same_input_gives_the_same_frames():
    first = cdnsim.run(QUICKSTART, seed=7, requests=20000, set=SHORT)
    again = cdnsim.run(QUICKSTART, seed=7, requests=20000, set=SHORT)
    assert first.files == again.files
    assert first.summary == again.summary
    for name in first.tables:
        assert_frame_equal(first.table(name), again.table(name))
    other = cdnsim.run(QUICKSTART, seed=8, requests=20000, set=SHORT)
    assert other.files["summary.csv"] != first.files["summary.csv"], "the seed changes the run"


def test_tables_by_name_and_the_ones_a_run_did_not_write():
    result = cdnsim.run(one_cache(5))
    assert "tiers" in result.tables and "cost" in result.tables
    assert list(result.cost.columns) == list(pd.read_csv(io.BytesIO(result.files["cost.csv"])).columns)
    with pytest.raises(KeyError, match="wrote no ranges.csv"):
        result.table("ranges")
    with pytest.raises(AttributeError, match="no attribute or table 'ranges'"):
        result.ranges


FAILOVER = str(ROOT / "scenarios" / "origin-failover.toml")


def test_any_thread_count_gives_the_same_files():
    """The failover scenario runs as three partitions (us-east-1 with the primary, us-west-2 with the backup,
    eu-west-2): one thread or two, every file is the same, byte for byte."""
    quick = {"traffic.rate": 2000, "simulation.warmup": "2 s"}
    one = cdnsim.run(FAILOVER, requests=20000, set=quick, threads=1)
    two = cdnsim.run(FAILOVER, requests=20000, set=quick, threads=2)
    assert one.summary == two.summary
    assert one.files == two.files
    assert one.summary["requests"] > 0


def test_zero_threads_is_refused():
    with pytest.raises(cdnsim.Error, match="threads must be at least 1"):
        cdnsim.run(QUICKSTART, requests=1000, threads=0)
