"""Benchmark: the report pages and exports at 100,000 cases, against their own raw SQL.

    .venv/bin/python bench/reports.py [--cases 100000] [--requests 5] [--only ledger]

Seeds cases in bulk (types, areas, channels, statuses and outcomes spread over the last two
years; one to three parties; agreements with amounts; return visits; referrals to several
partners, one of which receives one per case) into a throw-away SQLite database, or into a
schema of its own in the PostgreSQL database of ``JIEFEN_BENCH_DATABASE_URL`` (dropped at the
end). Then, for each scenario of :data:`SCENARIOS` (a URL and the role that asks for it):

- the page's time in-process, the median of ``--requests`` requests after a warm-up;
- the SQL statements the page issued (a ``before_cursor_execute`` listener), executed again
  raw on a DBAPI connection and timed, rows fetched: the page's raw-SQL lower bound, and the
  ratio of the two;
- for exports, the peak RSS and the wall time of the download in a subprocess of its own
  (``ru_maxrss`` of the child at the end, and before the request, for the baseline of a
  worker with the app loaded), and the rows of the workbook.

Results are printed as a table and written to ``bench/results/reports-<database>.json``.
Targets (issue 13): report pages ≤ 1.5× their raw SQL; a ledger of 100,000 rows under
150 MB peak RSS and 15 s.

To add a page, append a :class:`Scenario` to :data:`SCENARIOS` (``{range}``, ``{year}``,
``{month}`` in its URL are filled in from the seeded span).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_seed import PASSWORD, seed  # noqa: E402 (after the path is set)


@dataclass(frozen=True)
class Scenario:
    """A page or export to measure: its URL (``{range}``, ``{year}``, ``{month}`` filled in),
    who asks (a key of ``reports_seed.USERS``), whether it is an API call (bearer token) or an export
    (also measured for peak RSS in a subprocess), and the rows the export must hold
    (``"cases"``: every seeded case; ``"referrals"``: one per case)."""

    name: str
    url: str
    role: str = "leader"
    api: bool = False
    export: bool = False
    rows: Optional[str] = None
    cli: bool = False  # ``url`` is a command line of ``flask --app app`` (its --output is added)


SCENARIOS = [
    Scenario("ledger page (year)", "/reports/ledger?period={year}"),
    Scenario("ledger page (month, by type)", "/reports/ledger?period={month}&group_by=type"),
    Scenario("ledger API (year)", "/api/v1/reports/ledger?period={year}", api=True),
    Scenario("ledger XLSX (year)", "/reports/ledger.xlsx?period={year}", export=True),
    Scenario("ledger XLSX (all cases)", "/reports/ledger.xlsx?period={range}", export=True, rows="cases"),
    Scenario("ledger CLI (all cases)", "reports ledger --period {range}", export=True, rows="cases", cli=True),
    Scenario("partner ledger XLSX", "/partner/ledger.xlsx", role="partner", export=True, rows="referrals"),
    Scenario("partner statistics page", "/partner/statistics", role="partner"),
    Scenario("dashboard (this year)", "/dashboard/"),
    Scenario("summary API (year)", "/api/v1/reports/summary?from={year}-01-01&to={year}-12-31", api=True),
    Scenario("evaluation page (year, centres)", "/reports/evaluation?period={year}&level=centre"),
    Scenario("evaluation API (year, mediators)", "/api/v1/reports/evaluation?period={year}&level=mediator", api=True),
    Scenario("dispute map (year, cases)", "/map/?period={year}"),
    Scenario("alerts list", "/alerts/"),
]


# --- the app and its database -------------------------------------------------------------


def bench_app(url: str, options: dict, instance: Path):
    """A Jiefen app on the bench database (as bench/case_list.py builds it)."""
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": options,
        "JIEFEN_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-secret-key-of-a-sensible-length-0123456789",
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
    })


def database(tmp: Path) -> tuple[str, dict, Optional[str]]:
    """``(url, engine options, schema)``: a new schema on ``JIEFEN_BENCH_DATABASE_URL``, else a
    SQLite file in ``tmp``."""
    url = os.environ.get("JIEFEN_BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'bench.db'}", {}, None
    schema = f"jf_bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    return url, pg_options(schema), schema


def pg_options(schema: str) -> dict:
    """Engine options that put every connection in the bench's schema."""
    return {"connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"}}


# --- measuring ------------------------------------------------------------------------------


def login(client, username: str) -> None:
    """Sign ``client`` in through the login form."""
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{username} could not sign in"


def token(client, username: str) -> str:
    """A JWT for ``username``."""
    r = client.post("/api/v1/security/login", json={"username": username, "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["access_token"]


class Statements:
    """Collects the statements an engine executes while active (executemany left out)."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _listen(self, _conn, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            self.seen.append((statement, parameters))

    def __enter__(self):
        self.seen = []
        sa.event.listen(self.engine, "before_cursor_execute", self._listen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._listen)


def reads(statements: list) -> list:
    """The statements that only read (an export's audit row is written once, not again)."""
    return [(s, p) for s, p in statements if s.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH")]


def raw_seconds(engine, statements: list) -> float:
    """The time to run the reading ``statements`` again on a raw DBAPI connection, fetching
    every row."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        t0 = time.perf_counter()
        for statement, parameters in reads(statements):
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = time.perf_counter() - t0
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def fill(url: str, span: dict) -> str:
    """A scenario URL with the seeded span's placeholders filled in."""
    last = dt.date.fromisoformat(span["last_day"])
    return url.format(range=f"{span['first_day']}..{span['last_day']}", year=last.year, month=last.strftime("%Y-%m"))


def measure(app, clients: dict, scenario: Scenario, span: dict, requests: int) -> dict:
    """Time ``scenario`` in-process (median of ``requests`` after one warm-up) and its SQL raw."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    url = fill(scenario.url, span)
    if scenario.cli:
        return measure_cli(app, engine, scenario, url)
    client, headers = clients[scenario.role]
    if scenario.api:
        headers = {"Authorization": f"Bearer {clients[scenario.role + '_token']}"}
    times, statements, body = [], [], b""
    # An export is timed once (it runs for seconds); a page after one warm-up request.
    warm_up, runs = (0, 1) if scenario.export else (1, max(requests, 1))
    for i in range(warm_up + runs):
        with Statements(engine) as seen:
            t0 = time.perf_counter()
            r = client.get(url, headers=headers)
            body = r.data
            elapsed = time.perf_counter() - t0
        assert r.status_code == 200, (url, r.status_code, body[:300])
        if i >= warm_up:
            times.append(elapsed)
        statements = seen.seen
    page = statistics.median(times)
    raw = min(raw_seconds(engine, statements) for _ in range(3 if not scenario.export else 1))
    return {"name": scenario.name, "url": url, "role": scenario.role, "page_ms": round(page * 1000, 1),
            "sql_statements": len(statements), "sql_writes": len(statements) - len(reads(statements)), "raw_sql_ms": round(raw * 1000, 1),
            "ratio": round(page / raw, 2) if raw else None, "bytes": len(body)}


def measure_cli(app, engine, scenario: Scenario, command: str) -> dict:
    """Time a command line in-process (Flask's CLI runner), and its SQL raw."""
    import shlex

    with tempfile.TemporaryDirectory() as tmp, Statements(engine) as seen:
        t0 = time.perf_counter()
        result = app.test_cli_runner().invoke(args=shlex.split(command) + ["--output", f"{tmp}/out.xlsx"])
        elapsed = time.perf_counter() - t0
        assert result.exit_code == 0, result.output
        size = os.path.getsize(f"{tmp}/out.xlsx")
    raw = raw_seconds(engine, seen.seen)
    return {"name": scenario.name, "url": command, "role": "cli", "page_ms": round(elapsed * 1000, 1),
            "sql_statements": len(seen.seen), "sql_writes": len(seen.seen) - len(reads(seen.seen)),
            "raw_sql_ms": round(raw * 1000, 1), "ratio": round(elapsed / raw, 2) if raw else None, "bytes": size}


def export_in_child(scenario: Scenario, span: dict, url: str, options: dict, instance: Path, cookie: str) -> dict:
    """Download ``scenario`` (or run its command line) in a subprocess of its own: its wall
    time, peak RSS and rows. The child reuses the parent's session cookie: signing in would
    add the password hash's own 32 MB (scrypt) to the peak, which no export causes."""
    spec = {"url": url, "options": options, "instance": str(instance), "path": fill(scenario.url, span),
            "cookie": cookie, "cli": scenario.cli}
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True,
                         check=False, cwd=str(ROOT))
    if out.returncode != 0:
        raise RuntimeError(f"export child failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (``VmHWM``). Not ``ru_maxrss``: on
    Linux that keeps the peak of the process before ``exec``, i.e. of the forking parent."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(spec_text: str) -> None:
    """The subprocess of :func:`export_in_child`: download (or run the command line), measure,
    count the workbook's rows from its sheet's dimension, print JSON."""
    spec = json.loads(spec_text)
    app = bench_app(spec["url"], spec["options"], Path(spec["instance"]))
    gc.freeze()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        if spec["cli"]:
            import shlex

            before = peak_rss_mb()
            t0 = time.perf_counter()
            result = app.test_cli_runner().invoke(args=shlex.split(spec["path"]) + ["--output", out.name])
            status = 200 if result.exit_code == 0 else 500
        else:
            client = app.test_client()
            client.set_cookie("session", spec["cookie"])
            before = peak_rss_mb()
            t0 = time.perf_counter()
            r = client.get(spec["path"], buffered=False)
            for chunk in r.response:  # written out as it arrives, as a browser saves it
                out.write(chunk)
            r.close()
            status = r.status_code
        seconds = time.perf_counter() - t0
        peak = peak_rss_mb()
        out.flush()
        size = os.path.getsize(out.name)
        rows = _sheet_rows(out.name) if status == 200 else 0
    print(json.dumps({"status": status, "seconds": round(seconds, 2), "baseline_rss_mb": round(before, 1),
                      "peak_rss_mb": round(peak, 1), "bytes": size, "rows": rows}))


def _sheet_rows(path: str) -> int:
    """Data rows of the workbook's first sheet: its rows less those above the frozen panes
    (title, notes, header), counted while reading the sheet's XML in chunks."""
    import zipfile

    rows, head, tail = 0, "", ""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20).decode("utf-8", "replace"):
            text = tail + chunk
            rows += text.count("<row ") - tail.count("<row ")
            tail = text[-8:]
            head = head or text[:8192]
    frozen = re.search(r'<pane [^>]*ySplit="(\d+)"', head)
    return max(rows - (int(frozen.group(1)) if frozen else 1), 0)


def run(cases: int, requests: int, only: Optional[str], out_dir: Path) -> dict:
    """Seed, measure every scenario, print the table, write the JSON; returns the results."""
    selected = [s for s in SCENARIOS if not only or only in s.name]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url, options, schema = database(tmp_path)
        app = bench_app(url, options, tmp_path)
        try:
            t0 = time.perf_counter()
            span = seed(app, cases)
            print(f"seeded {cases} cases, {span['referrals']} referrals in {time.perf_counter() - t0:.1f}s "
                  f"on {url.split(':')[0]}", flush=True)
            gc.freeze()
            clients = {}
            for key in {s.role for s in selected}:
                client = app.test_client()
                login(client, f"bench_{key}")
                clients[key] = (client, {})
                clients[key + "_token"] = token(app.test_client(), f"bench_{key}")
            results = []
            for scenario in selected:
                result = measure(app, clients, scenario, span, requests)
                if scenario.export:
                    cookie = "" if scenario.cli else clients[scenario.role][0].get_cookie("session").value
                    result["export"] = export_in_child(scenario, span, url, options, tmp_path, cookie)
                    expected = {"cases": cases, "referrals": cases}.get(scenario.rows)
                    if expected is not None and result["export"]["rows"] != expected:
                        raise AssertionError(f"{scenario.name}: {result['export']['rows']} rows, expected {expected}")
                results.append(result)
                print(_line(result), flush=True)
        finally:
            with app.app_context():
                from app.extensions import db

                db.session.remove()
                db.engine.dispose()
            if schema:
                with sa.create_engine(url).begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    report = {"cases": cases, "db": url.split(":")[0].split("+")[0], "requests": requests, "span": span,
              "scenarios": [asdict(s) for s in selected], "results": results}
    _table(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"reports-{report['db']}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


HEAD = f"{'scenario':<30} {'page ms':>9} {'SQL':>5} {'raw ms':>9} {'ratio':>6} {'rows':>7} {'export s':>9} {'RSS MB':>8} {'base MB':>8}"


def _line(r: dict) -> str:
    e = r.get("export") or {}
    return (f"{r['name']:<30} {r['page_ms']:>9} {r['sql_statements']:>5} {r['raw_sql_ms']:>9} {str(r['ratio']):>6} "
            f"{str(e.get('rows', '')):>7} {str(e.get('seconds', '')):>9} {str(e.get('peak_rss_mb', '')):>8} "
            f"{str(e.get('baseline_rss_mb', '')):>8}")


def _table(results: list) -> None:
    print(HEAD)
    for r in results:
        print(_line(r))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page (median)")
    parser.add_argument("--only", default=None, help="only the scenarios whose name contains this")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    run(args.cases, args.requests, args.only, Path(args.output))


if __name__ == "__main__":
    main()
