"""A small run of the report benchmark (bench/reports.py): it seeds, measures every scenario,
checks that the full-range export holds every case and the partner ledger every referral, and
writes its results — no timing is asserted here (``make bench-reports`` runs it at 100,000)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_report_benchmark_runs_on_a_small_data_set(tmp_path):
    env = dict(os.environ)
    if os.environ.get("JIEFEN_TEST_DATABASE_URL"):  # the same server as the rest of the run
        env["JIEFEN_BENCH_DATABASE_URL"] = os.environ["JIEFEN_TEST_DATABASE_URL"]
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "reports.py"), "--cases", "1500", "--requests", "1",
                          "--output", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    [written] = list(tmp_path.glob("reports-*.json"))
    report = json.loads(written.read_text())
    results = {r["name"]: r for r in report["results"]}
    assert report["cases"] == 1500 and set(results) == {s["name"] for s in report["scenarios"]}
    assert results["ledger XLSX (all cases)"]["export"]["rows"] == 1500
    assert results["ledger CLI (all cases)"]["export"]["rows"] == 1500
    assert results["partner ledger XLSX"]["export"]["rows"] == 1500
    for result in report["results"]:
        assert result["sql_statements"] > 0 and result["raw_sql_ms"] > 0 and result["page_ms"] > 0, result["name"]
        if "export" in result:
            assert result["export"]["peak_rss_mb"] >= result["export"]["baseline_rss_mb"] > 0
    assert "scenario" in out.stdout and "ledger page (year)" in out.stdout
