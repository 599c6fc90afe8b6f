"""The month-start rush against the real ``sakip web`` (not part of the tests): how quickly uploads are
answered, how quickly pages open meanwhile, and how long the workers take to load everything.

1. writes the 2022 sample (``sakip sample``) and, from its January, a workbook per agency of a city
   (dinas, badan and kecamatan, each with its own code and name in the header);
2. starts ``sakip web`` over a fresh work folder (SQLite, or a fresh schema of ``--postgres`` with
   ``--workers`` workers) with a user per agency, and lets one warm-up upload through (the workers'
   Prefect servers start and Great Expectations builds its project);
3. **every agency uploads its workbook at once** while a steward's and a visitor's pages are timed one
   after another; then **one agency sends ``--burst`` files at once** (one upload is queued, the others
   are told to wait).

Prints each answer's and page's timings against the targets: every upload answered within 5 s, pages
at most 0.5 s at the 95th percentile, every workbook loaded, no agency-month loaded twice.

    make bench-web                       # SQLite, one worker
    make bench-web DB=postgresql         # PostgreSQL (127.0.0.1:5432/test), two workers
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from bench.web_server import (
    PAGE_P95_SECONDS,
    UPLOAD_ANSWER_SECONDS,
    PageSampler,
    agency_workbook,
    city_agencies,
    form_token_of,
    sakip_web,
    send,
    signed_in,
)

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WARM_UP = ("2.17.0.00.0.00.99.0000", "Dinas Pemanasan")
STEWARD = ("kota", "kata-sandi-kota-bench")


def _account(n: int) -> tuple[str, str]:
    """(user name, password) of the ``n``-th agency's user."""
    return f"opd{n:02d}", f"kata-sandi-opd-{n:02d}"


def _percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _unfinished(engine) -> int:
    from warehouse.models import WebUpload

    with engine.connect() as conn:
        query = select(func.count()).where(WebUpload.status.in_(("queued", "processing")))
        return int(conn.scalar(query) or 0)


def _wait_until_done(engine, timeout: float) -> float:
    """Seconds until no upload waits or runs (fails after ``timeout``)."""
    started = time.perf_counter()
    while _unfinished(engine):
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"uploads still waiting after {timeout:.0f} s")
        time.sleep(0.25)
    return time.perf_counter() - started


def _pages_line(sampler: PageSampler) -> str:
    """Count, median, p95 and largest of the page times sampled, with their statuses."""
    times = sampler.times
    statuses = sorted(set(sampler.statuses))
    return (
        f"{len(times)} pages, median {statistics.median(times):.3f} s, p95 {sampler.p95():.3f} s, "
        f"max {max(times):.3f} s, statuses {statuses}"
    )


def _rush(base_dir: Path, url: str | None, workers: int, agencies: int, burst: int) -> bool:
    """Run both scenarios over a fresh work folder; whether every target was met."""
    from sakip.web.accounts import add_user
    from tasks.settings import load_settings
    from warehouse.db import open_warehouse
    from warehouse.models import LoadBatch

    sample = base_dir / "sample"
    subprocess.run(
        [sys.executable, "-m", "sakip.cli", "sample", "--year", "2022", "--out", str(sample)],
        check=True,
        capture_output=True,
    )
    january = sample / "realisasi_2022_01.xlsx"
    city = city_agencies()[:agencies]
    books = [
        agency_workbook(january, base_dir / f"r_{n:02d}.xlsx", code, name)
        for n, (code, name) in enumerate(city)
    ]
    warm = agency_workbook(january, base_dir / "pemanasan.xlsx", *WARM_UP)
    workdir = base_dir / "work"
    engine = open_warehouse(url or load_settings(workdir).url)
    add_user(engine, *STEWARD, "steward")
    add_user(engine, "pemanasan", "kata-sandi-pemanasan", "opd", WARM_UP[0])
    for n, (code, _name) in enumerate(city):
        add_user(engine, *_account(n), "opd", code)
    env = {"PREFECT_HOME": str(base_dir / "prefect"), "SAKIP_WEB_WORKERS": str(workers)}
    if url:
        env["SAKIP_DATABASE_URL"] = url
    met = True
    with sakip_web(workdir, env, startup=300) as server:
        started = time.perf_counter()
        warm_client = signed_in(server.base, "pemanasan", "kata-sandi-pemanasan")
        send(warm_client, form_token_of(warm_client), warm)
        warm_up = _wait_until_done(engine, 600)
        print(f"warm-up upload (the workers' Prefect servers start, GX builds): {warm_up:.1f} s")
        with ThreadPoolExecutor(8) as pool:
            clients = list(pool.map(lambda n: signed_in(server.base, *_account(n)), range(len(city))))
            tokens = list(pool.map(form_token_of, clients))
        steward = signed_in(server.base, *STEWARD)
        visitor = httpx.Client(base_url=server.base, timeout=60)
        pages = [
            (steward, "/steward?year=2022&month=1"),
            (steward, f"/agencies/{city[0][0]}"),
            (visitor, "/login"),
        ]
        sampler = PageSampler(pages)
        with sampler.sampling():
            started = time.perf_counter()
            with ThreadPoolExecutor(len(city)) as pool:
                sent = list(pool.map(lambda n: send(clients[n], tokens[n], books[n]), range(len(city))))
            answered = time.perf_counter() - started
            loaded_after = answered + _wait_until_done(engine, 1800)
        answers = [seconds for _, seconds in sent]
        codes = sorted({answer.status_code for answer, _ in sent})
        with engine.connect() as conn:
            loaded = conn.execute(
                select(LoadBatch.opd_code, func.count())
                .where(LoadBatch.status == "loaded", LoadBatch.month == 1)
                .group_by(LoadBatch.opd_code)
            ).all()
        counts = dict(loaded)
        every = all(counts.get(code) == 1 for code, _ in city)
        twice = [code for code, count in counts.items() if count > 1]
        where = "PostgreSQL" if url else "SQLite"
        print(f"\n{len(city)} agencies uploading at once ({where}, {workers} worker(s))")
        print(
            f"upload answers: statuses {codes}, median {statistics.median(answers):.2f} s, "
            f"p95 {_percentile(answers, 0.95):.2f} s, slowest {max(answers):.2f} s "
            f"(target < {UPLOAD_ANSWER_SECONDS:g} s)"
        )
        print(f"every upload answered after {answered:.1f} s; all processed after {loaded_after:.1f} s")
        rate = len(city) / loaded_after * 60
        print(f"  = {rate:.0f} workbooks a minute, {loaded_after / len(city):.2f} s each")
        once = sum(counts.get(c) == 1 for c, _ in city)
        print(f"loaded: {once} of {len(city)} agencies, loaded twice: {len(twice)}")
        print(f"pages meanwhile: {_pages_line(sampler)} (target p95 <= {PAGE_P95_SECONDS:g} s)")
        met &= codes == [303] and max(answers) < UPLOAD_ANSWER_SECONDS and every and not twice
        met &= sampler.p95() <= PAGE_P95_SECONDS and set(sampler.statuses) == {200}

        one = clients[0]
        token = tokens[0]
        again = agency_workbook(january, base_dir / "sekali_lagi.xlsx", *city[0])
        sampler = PageSampler(
            [(steward, "/steward?year=2022&month=1"), (clients[1], "/upload"), (visitor, "/login")]
        )
        with sampler.sampling():
            with ThreadPoolExecutor(burst) as pool:
                burst_sent = list(pool.map(lambda _n: send(one, token, again), range(burst)))
            _wait_until_done(engine, 600)
        statuses = [answer.status_code for answer, _ in burst_sent]
        times = [seconds for _, seconds in burst_sent]
        print(f"\none agency sending {burst} files at once")
        print(
            f"answers: {statuses.count(303)} queued (303), {statuses.count(429)} told to wait (429), "
            f"{sum(s >= 500 for s in statuses)} 5xx; slowest {max(times):.2f} s"
        )
        print(f"other users' pages meanwhile: {_pages_line(sampler)}")
        met &= set(statuses) <= {303, 429} and sampler.p95() <= PAGE_P95_SECONDS
    engine.dispose()
    print(f"\ntotal {time.perf_counter() - started:.0f} s; targets {'met' if met else 'MISSED'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default=os.environ.get("SAKIP_TEST_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--workers", type=int, default=None, help="upload workers (1 on SQLite, else 2)")
    parser.add_argument("--agencies", type=int, default=60)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args(argv)
    workers = args.workers or (1 if args.db == "sqlite" else 2)
    with tempfile.TemporaryDirectory(prefix="sakip-bench-web-") as folder:
        if args.db == "sqlite":
            return 0 if _rush(Path(folder), None, workers, args.agencies, args.burst) else 1
        schema = f"sakip_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = f"{args.postgres}?options=-csearch_path%3D{schema}"
            return 0 if _rush(Path(folder), url, workers, args.agencies, args.burst) else 1
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
