"""cdnsim.sweep, cdnsim.sign_url and cdnsim.verify_url against the command line."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cdnsim
from conftest import ROOT
from test_run import QUICKSTART

KEYS = ROOT / "crates" / "cdnsim-sign" / "tests" / "fixtures" / "keys"
URL = "https://d111111abcdef8.cloudfront.net/img/a.jpg"


def test_sweep_gives_the_command_line_s_rows(cli, tmp_path):
    kept = tmp_path / "package"
    result = cdnsim.sweep(QUICKSTART, vary={"caches.edge.capacity": ["64 MiB", "256 MiB"]}, replicates=2, jobs=2,
                          requests=20000, set={"simulation.warmup": "5 s"}, out=kept)
    out = tmp_path / "cli"
    code, _, stderr = cli("sweep", QUICKSTART, "--vary", "caches.edge.capacity=64 MiB,256 MiB", "--replicates", 2,
                          "--jobs", 1, "--requests", 20000, "--set", "simulation.warmup=5 s", "--no-progress",
                          "--out", out)
    assert code == 0, stderr
    for name in ["sweep.csv", "sweep-summary.csv", "sweep.json"]:
        assert (kept / name).read_bytes() == (out / name).read_bytes(), name
    assert_frame_equal(result.runs, pd.read_csv(out / "sweep.csv"))
    assert_frame_equal(result.points, pd.read_csv(out / "sweep-summary.csv"))
    assert result.failed == 0
    # 2 points x 2 replicates; each point's mean is the mean of its replicates.
    assert len(result.runs) == 4 and len(result.points) == 2
    means = result.runs.groupby("caches.edge.capacity", sort=False).hit_ratio.mean()
    for _, point in result.points.iterrows():
        assert point.hit_ratio_mean == pytest.approx(means[point["caches.edge.capacity"]], abs=1e-6)
    # Without `out` the rows come from a temporary folder: the same rows.
    again = cdnsim.sweep(QUICKSTART, vary={"caches.edge.capacity": "64 MiB,256 MiB"}, replicates=2,
                         requests=20000, set={"simulation.warmup": "5 s"})
    assert_frame_equal(again.runs, result.runs)


def test_a_bad_vary_names_the_flag():
    with pytest.raises(cdnsim.Error, match="--vary"):
        cdnsim.sweep(QUICKSTART, vary={"caches.edge.capacity": "1:2:0"})


def test_sign_url_is_the_command_line_s(cli):
    key = KEYS / "rsa2048_pkcs1.pem"
    signed = cdnsim.sign_url(URL, key_pair_id="K2JCJMDEHXQW5F", private_key=key, date_less_than="2030-01-01")
    code, stdout, stderr = cli("sign", "url", "--url", URL, "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", key,
                               "--date-less-than", "2030-01-01")
    assert code == 0, stderr
    assert signed == stdout.strip()
    # A canned policy: Expires is 2030-01-01T00:00:00Z in Unix seconds, 60 years and 15 leap days after 1970:
    # (60 * 365 + 15) * 86400 = 1893456000.
    assert signed.startswith(f"{URL}?Expires=1893456000&Signature=") and signed.endswith("&Key-Pair-Id=K2JCJMDEHXQW5F")
    # The PEM text itself works as the key, as for the command line.
    assert cdnsim.sign_url(URL, key_pair_id="K2JCJMDEHXQW5F", private_key=key.read_text(),
                           date_less_than=1893456000) == signed


def test_verify_url_accepts_and_rejects_as_the_command_line(cli):
    signed = cdnsim.sign_url(URL, key_pair_id="KEC1", private_key=KEYS / "p256_pkcs8.pem",
                             date_less_than="2030-01-01T00:00:00Z", ip_address="192.0.2.0/24")
    keys = {"KEC1": KEYS / "p256_public.pem"}
    accepted = cdnsim.verify_url(signed, public_keys=keys, at="2029-06-01T00:00:00Z", ip="192.0.2.7")
    assert accepted and accepted.verdict == "ACCEPT"
    assert accepted.detail.startswith("custom policy, SHA256 signature")
    expired = cdnsim.verify_url(signed, public_keys=keys, at="2030-01-01", ip="192.0.2.7")
    assert not expired and expired.verdict == "REJECT: expired"
    code, stdout, stderr = cli("verify", "url", signed, "--public-key", f"KEC1={keys['KEC1']}", "--at", "2030-01-01",
                               "--ip", "192.0.2.7")
    assert (code, stdout.strip(), stderr.strip()) == (1, expired.verdict, expired.detail)
    outside = cdnsim.verify_url(signed, public_keys=keys, at="2029-06-01", ip="198.51.100.1")
    assert outside.verdict.startswith("REJECT") and "192.0.2.0/24" in outside.detail
    with pytest.raises(cdnsim.Error, match="--ip ADDRESS"):
        cdnsim.verify_url(signed, public_keys=keys, at="2029-06-01")
    with pytest.raises(cdnsim.Error, match="cannot read"):
        cdnsim.verify_url(signed, public_keys={"KEC1": KEYS / "missing.pem"})
    with pytest.raises(cdnsim.Error, match="--date-less-than"):
        cdnsim.sign_url(URL, key_pair_id="KEC1", private_key=KEYS / "p256_pkcs8.pem", date_less_than="tomorrow")


def test_signed_cookies_are_the_command_line_s_and_verify(cli):
    resource = "https://d111111abcdef8.cloudfront.net/img/*"
    key = KEYS / "rsa2048_pkcs8.pem"
    cookies = cdnsim.sign_cookies(policy_resource=resource, key_pair_id="K2JCJMDEHXQW5F", private_key=key,
                                  date_less_than="2030-01-01")
    code, stdout, stderr = cli("sign", "cookies", "--policy-resource", resource, "--key-pair-id", "K2JCJMDEHXQW5F",
                               "--private-key", key, "--date-less-than", "2030-01-01")
    assert code == 0, stderr
    assert [f"{name}={value}" for name, value in cookies.items()] == stdout.splitlines()
    # A wildcard resource makes a custom policy: Policy, Signature and Key-Pair-Id, no Expires.
    assert list(cookies) == ["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    keys = {"K2JCJMDEHXQW5F": KEYS / "rsa2048_public.pem"}
    assert cdnsim.verify_url(URL, public_keys=keys, cookies=header, at="2029-01-01")
    other = cdnsim.verify_url("https://d111111abcdef8.cloudfront.net/video/a.mp4", public_keys=keys, cookies=header,
                              at="2029-01-01")
    assert other.verdict.startswith("REJECT") and "does not match the policy's Resource" in other.detail
