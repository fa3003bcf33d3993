"""Run a benchmark from the repository's ``benchmarks/`` folder on a site.

``benchmarks`` is not installed as a package (it is not part of the app), so this entry point puts
the app's source checkout on ``sys.path`` and calls the benchmark's ``run``:

    bench --site SITE execute order_online.tests.bench_runner.run --args "['sales_order']" --kwargs "{'orders': 100}"
"""

import importlib
import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def run(benchmark: str, **kwargs) -> None:
	if not (SOURCE_ROOT / "benchmarks" / f"{benchmark}.py").is_file():
		raise SystemExit(f"No benchmark {benchmark!r} in {SOURCE_ROOT / 'benchmarks'}")
	if str(SOURCE_ROOT) not in sys.path:
		sys.path.insert(0, str(SOURCE_ROOT))
	importlib.import_module(f"benchmarks.{benchmark}").run(**kwargs)
