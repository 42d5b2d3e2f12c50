import time
from pathlib import Path
from typing import Any
from night.test_pg_sites import _go_1, _gos_of_part_1
from night.test_shared_night import ok, runbook, site
from servers.gonogo_forks import Forks


def test_t(postgres: Any, tmp_path: Path) -> None:
    a, b = site(tmp_path, "a"), site(tmp_path, "b")
    started = postgres.new_database()
    ok(a, "start", runbook(a), GONOGO_JOURNAL_URL=started)
    ok(b, "start", runbook(b), GONOGO_JOURNAL_URL=started)
    T = {"create": 0.0, "run": 0.0, "check": 0.0, "drop": 0.0, "one": 0.0}
    with Forks(tmp_path) as forks:
        for n in range(10):
            t0 = time.perf_counter()
            race = postgres.new_database(template=started)
            t1 = time.perf_counter()
            results = forks.run([_go_1(a, "anna", race), _go_1(b, "bo", race)])
            t2 = time.perf_counter()
            _gos_of_part_1(race)
            t3 = time.perf_counter()
            postgres.drop_database(race)
            t4 = time.perf_counter()
            race = postgres.new_database(template=started)
            t5 = time.perf_counter()
            forks.run([_go_1(a, "anna", race)])
            T["one"] += time.perf_counter() - t5
            postgres.drop_database(race)
            T["create"] += t1 - t0; T["run"] += t2 - t1; T["check"] += t3 - t2; T["drop"] += t4 - t3
            print(sorted(r.code for r in results), [r.stderr[:80] for r in results if r.code])
    print({k: round(v / 10, 3) for k, v in T.items()})
