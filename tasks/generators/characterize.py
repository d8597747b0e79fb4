#!/usr/bin/env python3
"""Writes characterization tests for Python modules: a generator for etask's `command` generator.

Usage: python characterize.py path/to/module.py [more.py ...]   (run from the repository root)

For every public top-level function whose parameters are int, float, str or bool, it calls the
function with values drawn from the module's own literals and a small generic pool, keeps the calls
that reach lines or branches no earlier call reached (coverage-guided, like a tiny Pynguin), and
writes one test per kept call asserting today's result — or the exception raised — to
tests/test_<module>.py (test/ when the repository uses that folder; *_characterization.py when
the file exists), then formats it with the repository's ruff settings when ruff is on PATH. The tests pin
current behaviour so a later change that alters a result is caught. Deterministic: same module,
same tests.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import typing

MAX_CALLS_PER_FUNCTION = 400
MAX_TESTS_PER_FUNCTION = 12
MAX_LINE = 99
GENERIC = {
    int: [0, 1, -1, 2, 3, 7, 10, 100, 1000],
    float: [0.0, 1.0, -1.0, 0.5, 2.5, 19.99, 100.0, 1000.0, 2500.0],
    str: ["", "a", "abc", "0", "42", "4242424242424242", "4111 1111 1111 1112", "hello world"],
    bool: [True, False],
}


def module_name(path: str) -> tuple[str, str]:
    """Returns (import root folder, dotted module name) for a file, following __init__.py upwards."""
    path = os.path.normpath(path)
    folder, file = os.path.split(path)
    parts = [os.path.splitext(file)[0]]
    while folder and os.path.exists(os.path.join(folder, "__init__.py")):
        folder, name = os.path.split(folder)
        parts.insert(0, name)
    return folder or ".", ".".join(parts)


def literals(source: str) -> dict[type, list[object]]:
    found: dict[type, list[object]] = {int: [], float: [], str: []}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and type(node.value) in found:
            value = node.value
            if isinstance(value, str) and (len(value) > 40 or "\n" in value):
                continue
            if value not in found[type(value)]:
                found[type(value)].append(value)
    return found


class Tracer:
    """Collects (previous line, line) arcs executed inside one file."""

    def __init__(self, filename: str) -> None:
        self.filename = os.path.abspath(filename)
        self.arcs: set[tuple[int, int]] = set()
        self.last: dict[int, int] = {}

    def __call__(self, frame, event, arg):  # type: ignore[no-untyped-def]
        if os.path.abspath(frame.f_code.co_filename) != self.filename:
            return None
        key = id(frame)
        if event == "call":
            self.last[key] = -frame.f_code.co_firstlineno
        elif event == "line":
            self.arcs.add((self.last.get(key, 0), frame.f_lineno))
            self.last[key] = frame.f_lineno
        elif event == "return":
            self.arcs.add((self.last.pop(key, 0), -frame.f_code.co_firstlineno))
        return self


class Timeout(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise Timeout()


def run_call(fn, args, tracer):  # type: ignore[no-untyped-def]
    tracer.arcs = set()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    sys.settrace(tracer)
    try:
        return ("ok", fn(*args)), set(tracer.arcs)
    except Timeout:
        return ("timeout", None), set()
    except Exception as e:  # noqa: BLE001 - the exception is the behaviour being pinned
        return ("raise", e), set(tracer.arcs)
    finally:
        sys.settrace(None)
        signal.setitimer(signal.ITIMER_REAL, 0)


def literal(value: object) -> str | None:
    """Source text that evaluates to value, or None when there is none we trust."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return repr(value)
    if isinstance(value, (bool, int, str, type(None))):
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = [literal(v) for v in value]
        if any(i is None for i in items):
            return None
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"  # type: ignore[arg-type]
        return "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        pairs = [(literal(k), literal(v)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    return None


def expected(value: object) -> str | None:
    if isinstance(value, float):
        text = literal(value)
        return None if text is None else f"pytest.approx({text})"
    return literal(value)


def candidates(fn, pool):  # type: ignore[no-untyped-def]
    """Argument tuples for fn, or None when a parameter has a type we do not generate."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001
        return None
    choices = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            return None
        t = hints.get(p.name)
        if t not in GENERIC:
            return None
        values = list(dict.fromkeys(pool.get(t, []) + GENERIC[t]))
        if t is float:
            values = list(dict.fromkeys(values + [float(v) for v in pool.get(int, [])]))
        choices.append(values)
    combos = list(itertools.product(*choices)) if choices else [()]
    rng = random.Random(1234)
    rng.shuffle(combos)
    return combos[:MAX_CALLS_PER_FUNCTION]


def characterize(path: str) -> str:
    root, name = module_name(path)
    sys.path.insert(0, os.path.abspath(root))
    module = importlib.import_module(name)
    with open(path, encoding="utf-8") as f:
        pool = literals(f.read())
    alias = name.rsplit(".", 1)[-1]
    tracer = Tracer(path)
    tests: list[str] = []
    for fname, fn in inspect.getmembers(module, inspect.isfunction):
        if fname.startswith("_") or fn.__module__ != module.__name__:
            continue
        combos = candidates(fn, pool)
        if not combos:
            continue
        seen: set[tuple[int, int]] = set()
        outcomes: set[object] = set()
        kept = 0
        for args in combos:
            (kind, value), arcs = run_call(fn, args, tracer)
            if kind == "timeout":
                continue
            outcome = (kind, type(value).__name__, value if isinstance(value, bool) else None)
            if arcs <= seen and outcome in outcomes:
                continue
            call = f"{alias}.{fname}({', '.join(literal(a) or 'None' for a in args)})"
            if kind == "ok":
                if isinstance(value, bool) or value is None:
                    body = f"    assert {call} is {value!r}"
                else:
                    exp = expected(value)
                    if exp is None:
                        continue
                    body = f"    assert {call} == {exp}"
            else:
                exc = type(value)
                if exc.__module__ == module.__name__:
                    exc_name = f"{alias}.{exc.__name__}"
                elif exc.__module__ == "builtins":
                    exc_name = exc.__name__
                else:
                    exc_name = "Exception"
                body = f"    with pytest.raises({exc_name}):\n        {call}"
            if any(len(line) > MAX_LINE for line in body.split("\n")):
                continue
            seen |= arcs
            outcomes.add(outcome)
            kept += 1
            suffix = "raises" if kind == "raise" else "returns"
            tests.append(f"def test_{fname}_{suffix}_{kept}() -> None:\n{body}\n")
            if kept >= MAX_TESTS_PER_FUNCTION:
                break
    package, _, _ = name.rpartition(".")
    header = (
        f'"""Characterization tests for {path}.\n\n'
        "They pin today's results and errors: a change that alters one makes a test fail.\n"
        'Written by the characterize generator."""\n'
        "import pytest\n\n"
        + (f"from {package} import {alias}\n" if package else f"import {alias}\n")
    )
    return header + "".join("\n\n" + t for t in tests)


def test_folder() -> str:
    """The repository's test folder: tests/ or test/ when one exists, else tests/."""
    for name in ("tests", "test"):
        if os.path.isdir(name):
            return name
    return "tests"


def target_path(path: str) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    folder = test_folder()
    candidate = os.path.join(folder, f"test_{stem}.py")
    if os.path.exists(candidate):
        candidate = os.path.join(folder, f"test_{stem}_characterization.py")
    return candidate


def tidy(path: str) -> None:
    """Formats the new file the way the repository's ruff configuration says, when ruff is on PATH."""
    ruff = shutil.which("ruff")
    if ruff is None:
        return
    subprocess.run([ruff, "format", "--quiet", path], check=False)
    subprocess.run([ruff, "check", "--fix", "--exit-zero", "--quiet", path], check=False)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.dont_write_bytecode = True
    for path in argv[1:]:
        text = characterize(path)
        count = text.count("\ndef test_")
        if count == 0:
            print(f"{path}: no public function with int/float/str/bool parameters; nothing written")
            continue
        out = target_path(path)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        tidy(out)
        print(f"{path}: wrote {count} tests to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
