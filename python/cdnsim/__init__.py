"""cdnsim from Python: run scenarios, sweeps and trace replays, compute miss-ratio curves, sign and verify
CloudFront URLs.

The simulations are the ``cdnsim`` library's, called through the native module ``cdnsim._native``: a
result holds the very bytes ``cdnsim run`` writes (``result.files``), and its tables are those bytes read
by pandas, so the columns and values are the command line's. The GIL is released while a simulation
runs, and Ctrl-C (KeyboardInterrupt) stops it at once (the engine looks every 65,536 events).

    >>> import cdnsim
    >>> result = cdnsim.run("scenarios/quickstart.toml", requests=20_000, set={"traffic.zipf_alpha": 1.1})
    >>> result.summary["hit_ratio"]          # the dict `cdnsim run --format json` prints
    >>> result.tiers[["name", "hit_ratio"]]  # tiers.csv as a DataFrame
    >>> result.write("results/quickstart")   # the files `cdnsim run --out` writes

Bad input raises ``cdnsim.Error`` (a ValueError) with the command line's message: the file, field, line
and the fix.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import AccountingError, Error

if TYPE_CHECKING:
    import pandas

__all__ = [
    "AccountingError",
    "Error",
    "MrcResult",
    "Result",
    "SweepResult",
    "Verdict",
    "replay",
    "mrc",
    "run",
    "sign_cookies",
    "sign_url",
    "sweep",
    "verify_url",
]

PathLike = Union[str, "os.PathLike[str]"]
Scalar = Union[str, int, float, bool]


def _csv(data: bytes) -> "pandas.DataFrame":
    import pandas

    # Read as pandas reads the files themselves: an empty cell (the command line's "none") is NaN.
    return pandas.read_csv(io.BytesIO(data))


def _set_text(path: str, value: Any) -> str:
    """One ``--set PATH=VALUE`` from a dict item: strings as written, numbers and booleans as TOML."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, (list, tuple)):
        text = json.dumps(list(value))
    else:
        raise Error(f"set[{path!r}]: {value!r} is a {type(value).__name__}; "
                    "give a string, a number, a boolean or a list of them")
    return f"{path}={text}"


def _sets(set: Optional[Mapping[str, Any]]) -> List[str]:
    return [_set_text(path, value) for path, value in (set or {}).items()]


def _scenario_args(scenario: Union[PathLike, Mapping[str, Any]]) -> Tuple[Optional[str], Optional[str]]:
    if isinstance(scenario, Mapping):
        try:
            return None, json.dumps(scenario)
        except (TypeError, ValueError) as e:
            raise Error(f"<scenario dict>: {e} (fix: use only dicts, lists, strings, numbers and booleans)") from None
    return os.fspath(scenario), None


class Result:
    """One run's results: ``summary`` (a dict), each CSV file as a DataFrame, and the raw ``files``.

    Tables are named after their files: ``result.tiers`` is ``tiers.csv``, ``result.table("cost")`` is
    ``cost.csv``. A run writes summary, tiers, behaviors, timeseries, failover, signing, faults,
    result_types, usage and cost always; functions, cache_keys, compression, origin_requests,
    invalidations, ranges, errors, connections and viewers when the scenario uses them; a run on a trace
    also result-types and detailed-result-types when the log carried result types (scenarios/README.md,
    "What a run writes", describes every column).
    """

    def __init__(self, summary: Dict[str, Any], files: Dict[str, bytes], warnings: List[str]):
        self.summary: Dict[str, Any] = summary
        """The summary, as ``cdnsim run --format json`` prints it."""
        self.files: Dict[str, bytes] = files
        """Every result file's name and bytes, exactly as the command line writes them."""
        self.warnings: List[str] = warnings
        """What the command line would print as warnings (also raised as Python warnings)."""
        self._tables: Dict[str, "pandas.DataFrame"] = {}

    @property
    def tables(self) -> List[str]:
        """The names of the CSV tables this run wrote (file names without ``.csv``)."""
        return [name[: -len(".csv")] for name in self.files if name.endswith(".csv")]

    def table(self, name: str) -> "pandas.DataFrame":
        """The CSV file ``name`` (with or without ``.csv``) as a DataFrame (a fresh copy each call)."""
        file = name if name.endswith(".csv") else f"{name}.csv"
        if file not in self.files:
            raise KeyError(f"this run wrote no {file}; it wrote {', '.join(self.tables)}")
        if file not in self._tables:
            self._tables[file] = _csv(self.files[file])
        return self._tables[file].copy()

    def __getattr__(self, name: str) -> "pandas.DataFrame":
        # Tables by attribute: result.tiers, result.cache_keys, ... (only names of CSV files).
        if name.startswith("_"):
            raise AttributeError(name)
        files = self.__dict__.get("files", {})
        if f"{name}.csv" in files:
            return self.table(name)
        raise AttributeError(f"{type(self).__name__} has no attribute or table {name!r}; tables: "
                             f"{', '.join(self.tables)}")

    @property
    def tiers(self) -> "pandas.DataFrame":
        """``tiers.csv``: each cache and origin over the whole run."""
        return self.table("tiers")

    @property
    def behaviors(self) -> "pandas.DataFrame":
        """``behaviors.csv``: each cache behavior."""
        return self.table("behaviors")

    @property
    def timeseries(self) -> "pandas.DataFrame":
        """``timeseries.csv``: one row per metrics interval."""
        return self.table("timeseries")

    @property
    def failover(self) -> "pandas.DataFrame":
        """``failover.csv``: origin groups' failovers."""
        return self.table("failover")

    @property
    def signing(self) -> "pandas.DataFrame":
        """``signing.csv``: signed URL and cookie checks."""
        return self.table("signing")

    def write(self, dir: PathLike) -> Path:
        """Writes every file into ``dir`` (created if needed), all or nothing, as ``--out`` does."""
        path = Path(dir)
        _native.write_files(os.fspath(path), list(self.files.items()))
        return path

    def __repr__(self) -> str:
        s = self.summary
        return (f"<cdnsim.Result {s.get('scenario')!r} seed {s.get('seed')}: {s.get('requests')} requests, "
                f"hit ratio {s.get('hit_ratio')}; tables {', '.join(self.tables)}>")


def _result(summary: str, files: Sequence[Tuple[str, bytes]], said: List[str]) -> Result:
    for warning in said:
        warnings.warn(f"cdnsim: {warning}", stacklevel=3)
    return Result(json.loads(summary), dict(files), list(said))


def run(scenario: Union[PathLike, Mapping[str, Any]], *, seed: Optional[int] = None,
        requests: Optional[int] = None, set: Optional[Mapping[str, Any]] = None,
        trace: Optional[PathLike] = None, threads: Optional[int] = None) -> Result:
    """Runs a scenario, as ``cdnsim run SCENARIO --format json`` does.

    ``scenario`` is a scenario file's path, or a dict shaped like the TOML (``{"simulation": {...},
    "topology": {...}, ...}``; its messages' positions are those of the TOML it is written as). ``seed``
    overrides ``simulation.seed``; ``requests`` stops after that many viewer requests; ``set`` maps dotted
    paths to values, each as ``--set PATH=VALUE`` (strings as written: ``{"simulation.duration": "6
    min"}``); ``trace`` replays a trace file or folder (CSV, CloudFront logs, oracleGeneral) instead of the
    scenario's traffic, as ``--trace``. ``threads`` is how many threads the run's partitions share (as
    ``--threads``; every core by default): it changes how fast the run goes, never what it reports.
    """
    path, text = _scenario_args(scenario)
    return _result(*_native.run(path, text, seed, requests, _sets(set),
                                None if trace is None else os.fspath(trace), threads))


def replay(trace: PathLike, *, cache_size: Union[str, int], policy: str = "lru", ttl: Optional[str] = None,
           requests: Optional[int] = None) -> Result:
    """Replays a trace through one cache of ``cache_size`` (bytes, or "64 MiB"), as ``cdnsim replay`` does.

    ``policy`` is lru, fifo, sieve, s3-fifo, clock, 2q, s4lru, arc, gdsf or wtinylfu; ``ttl`` how long an
    object stays fresh ("1 h"; by default never expires). The summary has the trace's numbers under
    ``"trace"``, as ``cdnsim replay --format json`` prints them.
    """
    return _result(*_native.replay(os.fspath(trace), str(cache_size), policy, ttl, requests))


class MrcResult:
    """Miss-ratio curves: ``rows`` is ``mrc.csv`` (one row per policy and size), ``summary`` the rest of
    ``mrc.json`` (requests, bytes, objects, working set, how the ``lru`` rows were computed, SHARDS's error
    estimate, malformed lines), ``files`` the bytes of both, exactly as ``cdnsim mrc --out`` writes them."""

    def __init__(self, summary: Dict[str, Any], files: Dict[str, bytes]):
        self.summary: Dict[str, Any] = summary
        """``mrc.json`` without its ``rows`` (those are ``rows``)."""
        self.files: Dict[str, bytes] = files
        """``mrc.csv`` and ``mrc.json``, exactly as the command line writes them."""
        self.rows: "pandas.DataFrame" = _csv(files["mrc.csv"])
        """``mrc.csv``: policy, size_bytes, requests, misses, miss_ratio, bytes, miss_bytes, byte_miss_ratio."""

    def write(self, dir: PathLike) -> Path:
        """Writes ``mrc.csv`` and ``mrc.json`` into ``dir`` (created if needed), all or nothing, as ``--out``
        does (``cdnsim plot DIR`` draws them)."""
        path = Path(dir)
        _native.write_files(os.fspath(path), list(self.files.items()))
        return path

    def __repr__(self) -> str:
        policies = ", ".join(dict.fromkeys(self.rows["policy"]))
        return (f"<cdnsim.MrcResult {self.summary.get('requests')} requests: {policies} at "
                f"{self.rows['size_bytes'].nunique()} sizes>")


def mrc(trace: PathLike, *, sizes: Optional[Union[str, int, Iterable[Union[str, int]]]] = None, points: int = 40,
        policy: Optional[Union[str, Iterable[str]]] = None, sample_rate: Optional[float] = None,
        sample_objects: Optional[int] = None, threads: Optional[int] = None,
        requests: Optional[int] = None) -> MrcResult:
    """Computes miss-ratio curves of a trace, as ``cdnsim mrc TRACE --out DIR`` does.

    ``sizes`` is a list of cache sizes (bytes, or "64 MiB"), or the command line's text (``"1MB,10MB"``, or a
    range ``"1MB..1GB"`` of ``points`` sizes on a log scale); by default ``points`` sizes from the smallest
    request to the working set. ``policy`` is a name, a list of names, ``"belady"`` or ``"all"`` (default:
    ``lru``, exact for every size in one pass). ``sample_rate`` or ``sample_objects`` adds a SHARDS estimate
    (rows ``lru-shards``); ``threads`` simulate the policies (default: one per core; the results do not depend
    on it); ``requests`` stops the reading after that many. Ctrl-C stops the reading (Belady's pass after it
    runs to its end).
    """
    if sizes is None or isinstance(sizes, str):
        sizes_text = sizes
    elif isinstance(sizes, int):
        sizes_text = str(sizes)
    else:
        sizes_text = ",".join(str(size) for size in sizes)
    policies = [] if policy is None else [policy] if isinstance(policy, str) else list(policy)
    summary, files, _ = _native.mrc(os.fspath(trace), sizes_text, points, policies, sample_rate, sample_objects,
                                    threads, requests)
    summary_dict = json.loads(summary)
    summary_dict.pop("rows", None)
    return MrcResult(summary_dict, dict(files))


class SweepResult:
    """A sweep's rows: ``runs`` is ``sweep.csv`` (one row per run), ``points`` is ``sweep-summary.csv``."""

    def __init__(self, runs: "pandas.DataFrame", points: "pandas.DataFrame", manifest: Dict[str, Any],
                 failed: int):
        self.runs = runs
        """``sweep.csv``: one row per run (point and replicate), in run order."""
        self.points = points
        """``sweep-summary.csv``: per point, each metric's mean and 95% confidence interval."""
        self.manifest = manifest
        """``sweep.json``: what was swept."""
        self.failed = failed
        """How many runs failed (their rows in ``runs`` say why and how to run them again)."""

    def __repr__(self) -> str:
        return f"<cdnsim.SweepResult {len(self.points)} points, {len(self.runs)} runs, {self.failed} failed>"


def sweep(scenario: Union[PathLike, Mapping[str, Any]], vary: Mapping[str, Union[str, Iterable[Scalar]]], *,
          replicates: int = 1,
          jobs: Optional[int] = None, seed: Optional[int] = None, requests: Optional[int] = None,
          set: Optional[Mapping[str, Any]] = None, out: Optional[PathLike] = None) -> SweepResult:
    """Runs a scenario over the cartesian product of ``vary``, as ``cdnsim sweep`` does.

    ``scenario`` is a file's path, or a dict shaped like the TOML as for ``run``: a dict is written as
    ``scenario.toml`` into the sweep's folder first, since each row names the file it ran (a different
    ``scenario.toml`` already there is an error, never overwritten).

    ``vary`` maps a dotted path to its values: a list (``["1 GiB", "4 GiB"]``) or the command line's text
    (``"0.6:1.2:0.2"`` or ``"1 GiB,4 GiB"``). ``replicates`` runs each point with that many seeds derived
    from ``seed``; ``jobs`` runs at once (default: one per core). With ``out``, the sweep's files stay
    there (as ``--out``); otherwise they go to a temporary folder.
    """
    scenario_path, scenario_text = _scenario_args(scenario)
    varies = []
    for path, values in vary.items():
        if isinstance(values, str):
            varies.append(f"{path}={values}")
        else:
            varies.append(f"{path}=" + ",".join(_set_text(path, v).split("=", 1)[1] for v in values))
    with tempfile.TemporaryDirectory(prefix="cdnsim-sweep-") as scratch:
        dir = Path(out) if out is not None else Path(scratch) / "sweep"
        failed = _native.sweep(scenario_path, scenario_text, os.fspath(dir), varies, _sets(set), replicates, jobs,
                               seed, requests)
        return SweepResult(_csv((dir / "sweep.csv").read_bytes()), _csv((dir / "sweep-summary.csv").read_bytes()),
                           json.loads((dir / "sweep.json").read_text()), failed)


def _signing(key_pair_id: str, private_key: Union[str, "os.PathLike[str]"], date_less_than: Union[str, int]) -> Tuple[
        str, str, str]:
    key = os.fspath(private_key) if isinstance(private_key, os.PathLike) else private_key
    return key_pair_id, key, str(date_less_than)


def sign_url(url: str, *, key_pair_id: str, private_key: Union[str, "os.PathLike[str]"],
             date_less_than: Union[str, int], policy_resource: Optional[str] = None,
             date_greater_than: Optional[Union[str, int]] = None, ip_address: Optional[str] = None,
             hash_algorithm: Optional[str] = None) -> str:
    """Signs ``url`` as CloudFront and the AWS CLI do (``cdnsim sign url``), returning the signed URL.

    ``private_key`` is a PEM file's path (``file://PATH`` too) or the PEM text (RSA 2048 or ECDSA P-256).
    Dates are ISO 8601 (``"2030-01-01"``, ``"2030-01-01T00:00:00Z"``) or Unix seconds. A custom policy is
    made exactly when ``date_greater_than`` or ``ip_address`` is given, or ``policy_resource`` (with ``*``
    and ``?`` wildcards) differs from the URL; ``hash_algorithm`` is SHA1 (RSA's default) or SHA256.
    """
    return _native.sign_url(url, *_signing(key_pair_id, private_key, date_less_than), policy_resource,
                            None if date_greater_than is None else str(date_greater_than), ip_address,
                            hash_algorithm)


def sign_cookies(url: Optional[str] = None, *, key_pair_id: str, private_key: Union[str, "os.PathLike[str]"],
                 date_less_than: Union[str, int], policy_resource: Optional[str] = None,
                 date_greater_than: Optional[Union[str, int]] = None, ip_address: Optional[str] = None,
                 hash_algorithm: Optional[str] = None) -> Dict[str, str]:
    """Signs cookies as ``cdnsim sign cookies`` does: the CloudFront-* cookies by name (send each in its own
    ``Set-Cookie`` header). Give ``url`` (a canned policy grants exactly it), ``policy_resource`` (a wildcard
    resource), or both; the other arguments are ``sign_url``'s.
    """
    return dict(_native.sign_cookies(url, *_signing(key_pair_id, private_key, date_less_than), policy_resource,
                                     None if date_greater_than is None else str(date_greater_than), ip_address,
                                     hash_algorithm))


class Verdict:
    """What CloudFront would do with a signed request; true when it accepts it."""

    def __init__(self, accepted: bool, verdict: str, detail: str):
        self.accepted = accepted
        """Whether CloudFront serves the request."""
        self.verdict = verdict
        """``ACCEPT`` or ``REJECT: reason``, as ``cdnsim verify`` prints on stdout."""
        self.detail = detail
        """The policy and signature accepted, or CloudFront's 403 and why (its stderr)."""

    def __bool__(self) -> bool:
        return self.accepted

    def __repr__(self) -> str:
        return f"<cdnsim.Verdict {self.verdict}>"


def verify_url(url: str, *, public_keys: Mapping[str, PathLike], trusted: Optional[Sequence[str]] = None,
               at: Optional[Union[str, int]] = None, ip: Optional[str] = None,
               cookies: Optional[str] = None) -> Verdict:
    """Checks a signed URL as CloudFront would (``cdnsim verify url``); with ``cookies`` (a ``Cookie`` header's
    value), the signed cookies sent with a request for ``url`` (``cdnsim verify cookies``).

    ``public_keys`` maps each key id CloudFront knows to its PEM file; ``trusted`` lists the ids the cache
    behavior trusts (default: all of them); ``at`` is the request's time (default: now); ``ip`` the
    client's address (needed when the policy restricts it). A rejection is a Verdict, not an exception;
    bad options (an unreadable key, a bad date) raise cdnsim.Error.
    """
    keys = [f"{id}={os.fspath(path)}" for id, path in public_keys.items()]
    return Verdict(*_native.verify(url, keys, list(trusted or []), None if at is None else str(at), ip, cookies,
                                   int(time.time())))
