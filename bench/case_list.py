"""Benchmark: case list page, typed plugin list, and REST list over many cases.

    .venv/bin/python bench/case_list.py [--cases 20000] [--requests 200]

Seeds cases in bulk into a throw-away SQLite database (or the PostgreSQL database in
JIEFEN_BENCH_DATABASE_URL, inside a schema it creates and drops), then times requests
through the WSGI app in-process and prints p50/p95 and SQL statements per request.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_app(tmp: Path):
    from app import create_app

    url = os.environ.get("JIEFEN_BENCH_DATABASE_URL")
    options, schema = {}, None
    if url:
        schema = f"jf_bench_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        options = {"connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"}}
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "JIEFEN_INSTANCE_PATH": str(tmp),
            "SECRET_KEY": "bench-secret-key-of-a-sensible-length-0123456789",
            "RATELIMIT_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    return app, url, schema


def seed(app, n: int) -> None:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Case, Party
    from app.seed import create_admin, sync_permissions
    from app.demo import load_areas_and_centres

    with app.app_context():
        upgrade()
        sync_permissions()
        os.environ["JIEFEN_ADMIN_PASSWORD"] = "bench-password"
        create_admin()
        places = load_areas_and_centres()
        area_ids = [a.id for a in places["areas"].values()]
        types = ["traffic", "family", "debt", "labour"]
        start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        rows, parties = [], []
        for i in range(n):
            rows.append(
                {
                    "id": i + 1,
                    "case_no": f"（2024）汕城解第{i + 1:06d}号",
                    "dispute_type": types[i % len(types)],
                    "status": "registered",
                    "track": "pre_filing",
                    "channel": "window",
                    "area_id": area_ids[i % len(area_ids)],
                    "title": f"演示纠纷 {i}",
                    "description": "bench",
                    "claim_amount": 1000 + i,
                    "intake_data": {},
                    "created_at": start + dt.timedelta(minutes=i),
                    "changed_at": start + dt.timedelta(minutes=i),
                    "version": 1,
                }
            )
            parties.append({"case_id": i + 1, "kind": "person", "role": "applicant", "name": f"当事人{i}"})
        for chunk in range(0, n, 5000):
            db.session.execute(sa.insert(Case), rows[chunk : chunk + 5000])
            db.session.execute(sa.insert(Party), parties[chunk : chunk + 5000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def login(client) -> str:
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "admin", "password": "bench-password", "csrf_token": token})
    r = client.post("/api/v1/security/login", json={"username": "admin", "password": "bench-password", "provider": "db"})
    return r.get_json()["access_token"]


def measure(app, client, url, requests, headers=None):
    from app.extensions import db

    counter = [0]

    def count(*_a, **_k):
        counter[0] += 1

    with app.app_context():
        engine = db.engine
    times = []
    for i in range(requests + 5):
        counter[0] = 0
        sa.event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        r = client.get(url, headers=headers or {})
        elapsed = time.perf_counter() - t0
        sa.event.remove(engine, "before_cursor_execute", count)
        assert r.status_code == 200, (url, r.status_code)
        if i >= 5:  # warm-up
            times.append(elapsed * 1000)
    times.sort()
    return {
        "url": url,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "sql_statements": counter[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, url, schema = build_app(Path(tmp))
        try:
            t0 = time.perf_counter()
            seed(app, args.cases)
            print(f"seeded {args.cases} cases in {time.perf_counter() - t0:.1f}s on {url.split(':')[0]}")
            gc.freeze()
            client = app.test_client()
            token = login(client)
            auth = {"Authorization": f"Bearer {token}"}
            results = [
                measure(app, client, "/case/list/", args.requests),
                measure(app, client, "/plugins/traffic/cases/list/", args.requests),
                measure(app, client, "/case/list/?page_CaseModelView=100", args.requests),
                measure(app, client, "/api/v1/case/", args.requests, auth),
                measure(app, client, "/case/show/1", args.requests),
            ]
            print(f"{'request':<45} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
            for r in results:
                print(f"{r['url']:<45} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['sql_statements']:>5}")
            out = Path(__file__).resolve().parent / "results"
            out.mkdir(exist_ok=True)
            (out / "case_list.json").write_text(json.dumps({"cases": args.cases, "db": url.split(":")[0], "results": results}, indent=2))
        finally:
            with app.app_context():
                from app.extensions import db

                db.session.remove()
                db.engine.dispose()
            if schema:
                with sa.create_engine(url).begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
