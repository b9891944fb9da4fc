"""Run the benchmarks: ``python -m bench.run [--reset] [NAME ...]``.

``make bench`` runs all, ``make bench BENCH=name`` one. A benchmark is a module
``bench/bench_<something>.py`` with ``NAME = "<bench name>"`` and
``run() -> dict``. Before the first one runs, ``bench.db.setup()`` points
Django at the bench database and ``bench.generate.ensure_data()`` makes sure
the data set is there (generated once, then reused). For each benchmark exactly one JSON line goes to stdout:
``{"bench": NAME, **run()}``, or ``{"bench": NAME, "error": "..."}`` when it
raised (and then the exit status is 1). Everything else, including what the
benchmark itself prints, goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> dict[str, str]:
    """NAME -> module name, for every bench/bench_*.py (imports no Django code)."""
    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules([str(BENCH_DIR)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        module_name = f"bench.{info.name}"
        name = _declared_name(BENCH_DIR / f"{info.name}.py") or info.name.removeprefix("bench_")
        if name in found:
            raise SystemExit(f"two benchmarks are named {name!r}: {found[name]} and {module_name}")
        found[name] = module_name
    return found


def _declared_name(path: Path) -> str | None:
    """The string assigned to NAME at module level, read without importing."""
    import ast

    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "NAME" for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return None


def run_one(name: str, module_name: str, out) -> bool:
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            module = importlib.import_module(module_name)
            if getattr(module, "NAME", name) != name:
                raise RuntimeError(f"{module_name}.NAME is not a plain string literal {name!r}")
            result = module.run()
        if not isinstance(result, dict):
            raise TypeError(f"{module_name}.run() returned {type(result).__name__}, not dict")
        line = {"bench": name, **{k: v for k, v in result.items() if k != "bench"}}
        ok = True
    except Exception as exc:  # one failing benchmark must not hide the others
        traceback.print_exc(file=sys.stderr)
        line = {"bench": name, "error": f"{type(exc).__name__}: {exc}"}
        ok = False
    print(f"[bench] {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    out.write(json.dumps(line, default=str) + "\n")
    out.flush()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--reset", action="store_true", help="drop and regenerate the bench database")
    args = parser.parse_args(argv)

    available = discover()
    if args.list:
        for name, module_name in available.items():
            print(f"{name}\t{module_name}")
        return 0
    unknown = [n for n in args.names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available) or 'none'}",
              file=sys.stderr)
        return 2
    selected = args.names or list(available)
    if not selected:
        print("no benchmarks found (bench/bench_*.py)", file=sys.stderr)
        return 0

    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        from bench import db

        db.setup(reset=args.reset)
        from bench import generate

        try:
            generate.ensure_data(generate.DEFAULT_SIZE)
        except generate.BenchDataError as exc:
            print(f"[bench] {exc}", file=sys.stderr)
            return 2
    ok = True
    for name in selected:
        ok = run_one(name, available[name], out) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
