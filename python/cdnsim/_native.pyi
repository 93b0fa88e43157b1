"""Types of the native module (crates/cdnsim-py/src/lib.rs). Use the functions of `cdnsim`, which wrap these."""

from typing import List, Optional, Sequence, Tuple

class Error(ValueError):
    """Bad input to cdnsim: the message names the file, field, line and fix."""

class AccountingError(RuntimeError):
    """A run whose counters do not add up: a bug in cdnsim (the command line exits 70)."""

# (summary as JSON, [(file name, bytes)] in the order the command writes them, warnings)
_RunOutput = Tuple[str, List[Tuple[str, bytes]], List[str]]

def run(
    path: Optional[str],
    json: Optional[str],
    seed: Optional[int],
    requests: Optional[int],
    sets: Sequence[str],
    trace: Optional[str],
    threads: Optional[int],
) -> _RunOutput: ...
def replay(
    trace: str, cache_size: str, policy: str, ttl: Optional[str], requests: Optional[int]
) -> _RunOutput: ...
def mrc(
    trace: str,
    sizes: Optional[str],
    points: int,
    policies: Sequence[str],
    sample_rate: Optional[float],
    sample_objects: Optional[int],
    threads: Optional[int],
    requests: Optional[int],
) -> _RunOutput: ...
def sweep(
    path: Optional[str],
    json: Optional[str],
    out: str,
    varies: Sequence[str],
    sets: Sequence[str],
    replicates: int,
    jobs: Optional[int],
    seed: Optional[int],
    requests: Optional[int],
) -> int: ...
def sign_url(
    url: str,
    key_pair_id: str,
    private_key: str,
    date_less_than: str,
    policy_resource: Optional[str],
    date_greater_than: Optional[str],
    ip_address: Optional[str],
    hash_algorithm: Optional[str],
) -> str: ...
def sign_cookies(
    url: Optional[str],
    key_pair_id: str,
    private_key: str,
    date_less_than: str,
    policy_resource: Optional[str],
    date_greater_than: Optional[str],
    ip_address: Optional[str],
    hash_algorithm: Optional[str],
) -> List[Tuple[str, str]]: ...
def verify(
    url: str,
    public_keys: Sequence[str],
    trusted: Sequence[str],
    at: Optional[str],
    ip: Optional[str],
    cookies: Optional[str],
    now: int,
) -> Tuple[bool, str, str]: ...
def write_files(dir: str, files: Sequence[Tuple[str, bytes]]) -> None: ...
