"""etask's built-in add-tests generator, run in the generator's sandbox (network off) with the Python
of the generator tools' environment (which imports the project and the gates' venv too), in the
clone's root:

  add_tests.py TOOL FILE...
      For each module FILE: asks TOOL (crosshair, hypothesis or pynguin) for examples, turns them
      into readable tests in the style the project's runner collects (ETASK_RUNNER: pytest
      functions or unittest.TestCase methods), runs them three times, prunes the ones that fail or
      flake, keeps only the ones that run a line the project's tests (ETASK_COVERED: the lines they
      run per file) and the kept ones before them do not, and writes what is left to the test folder
      (ETASK_TEST_DIR). Prints what it kept and pruned and why.
  add_tests.py --ghostwrite MODULE OUT
      Hypothesis' Ghostwriter's property tests of MODULE, with what each function returns, as JSON
      in OUT (run with the project importable; exit 3 when the project has no hypothesis).
  add_tests.py --measure TARGET TESTFILE OUT
      One run of TESTFILE's tests under coverage of TARGET: each test's outcome and the arcs of
      TARGET it ran, as JSON in OUT.

Settings from the environment: ETASK_BUDGET (seconds a tool may explore one function)."""
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import sys

RUNS = 3  # a test must pass every time: once, and twice more for flakiness
TOOL = ["crosshair"]
TOOL_NAMES = {"crosshair": "CrossHair", "hypothesis": "Hypothesis' Ghostwriter",
              "pynguin": "Pynguin"}


def main():
    if sys.argv[1] == "--measure":
        measure(*sys.argv[2:5])
        return 0
    if sys.argv[1] == "--ghostwrite":
        return ghostwrite(*sys.argv[2:4])
    tool, files = sys.argv[1], sys.argv[2:]
    TOOL[0] = tool
    wrote = 0
    for path in files:
        wrote += generate(tool, path)
    if wrote == 0:
        print("no test kept for " + ", ".join(files))
    return 0


# ------------------------------------------------------------------------------------- modules


def module_of(path):
    """(import root, dotted module name) of a source file: up through the packages above it."""
    folder, name = os.path.split(os.path.abspath(path))
    parts = [os.path.splitext(name)[0]]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    if parts[-1] == "__init__":
        parts.pop()
    return folder, ".".join(parts)


def tool_environment(root):
    env = dict(os.environ)
    path = [root, os.getcwd()] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(path)
    return env


def crosshair(module, root, budget):
    argv = [sys.executable, "-m", "crosshair", "cover", "--example_output_format=pytest",
            "--per_condition_timeout=%d" % budget, "--per_path_timeout=%d" % max(1, budget // 4),
            module]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=budget * 20 + 30,
                              env=tool_environment(root), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        print("crosshair ran out of its %d s for %s" % (budget * 20 + 30, module))
        return e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
    if done.returncode == 2 and "No functions or methods found" in (done.stdout + done.stderr):
        print("%s has no function or method to test" % module)
        return ""
    if done.returncode not in (0, 1):
        tail = "\n".join((done.stderr or done.stdout or "").strip().splitlines()[-12:])
        print("crosshair failed on %s (exit %d); no test written:\n%s" % (module, done.returncode,
                                                                          tail))
        sys.exit(1)  # the batch fails, saying why: an error is not "nothing to test"
    if not done.stdout.strip():
        print("crosshair found no example for %s" % module)
    return done.stdout


# ------------------------------------------------------------------------------------ the tests


def parse(text):
    """The imports and test functions of a tool's output; a test that does not parse is left out."""
    imports, tests = [], []
    for chunk in re.split(r"\n(?=def |import |from )", "\n" + text):
        try:
            tree = ast.parse(chunk)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(node)
            elif isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                if useful(node):
                    tests.append(node)
    return imports, tests


LONGEST_VALUE = 60  # characters of a value written in a test: longer is not read by anyone


def useful(test):
    """Not a test of a constructor returning None, nor one without an assertion or raises, nor
    one with a value too long to read."""
    call = subject(test)
    if call is not None and called_name(call).endswith("__init__"):
        return False
    if any(isinstance(n, ast.Constant) and len(repr(n.value)) > LONGEST_VALUE
           for n in ast.walk(test)):
        return False
    return any(isinstance(n, (ast.Assert, ast.With)) for n in ast.walk(test))


def subject(test):
    """The call a test is about: what its assert compares, or what its raises block calls."""
    for node in ast.walk(test):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            if isinstance(node.test.left, ast.Call):
                return node.test.left
        if isinstance(node, ast.With):
            for inner in node.body:
                if isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call):
                    return inner.value
    return None


def called_name(call):
    return ast.unparse(call.func)


def identifier(name):
    """name as a Python identifier (letters, digits and underscores)."""
    name = re.sub(r"\W", "_", name)
    return name if name.isidentifier() else "test_" + name


def slug(text, words=4):
    s = re.sub(r"[\W_]+", "_", text).strip("_").lower()
    return "_".join(s.split("_")[:words]) or "empty"


def outcome(test):
    """What a test says happens: 'returns_small', 'raises_value_error', 'returns_none'."""
    for node in ast.walk(test):
        if isinstance(node, ast.With):
            for item in node.items:
                expr = item.context_expr
                if isinstance(expr, ast.Call) and expr.args:
                    first = expr.args[0]
                    errors = first.elts if isinstance(first, ast.Tuple) else [first]
                    names = [re.sub(r"(?<!^)(?=[A-Z])", "_", ast.unparse(e).split(".")[-1])
                             for e in errors]
                    return "raises_" + slug("_or_".join(names), 8)
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            right = node.test.comparators[0]
            if isinstance(right, ast.Constant):
                value = right.value
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                    return "returns_minus_" + slug(repr(-value))
                return "returns_" + slug(repr(value) if not isinstance(value, str) else value)
            return "returns_" + slug(type(right).__name__.lower()) + "_value"
    return "runs"


def arguments(call):
    parts = [ast.unparse(a) for a in call.args[1:] if not isinstance(a, ast.Call)] if call else []
    ascii_only = re.sub(r"[^0-9a-zA-Z]+", "_", "_".join(parts)).strip("_").lower()
    return "_".join(ascii_only.split("_")[:3])


class BoundCalls(ast.NodeTransformer):
    """Cls.method(Cls(...), x) -> Cls(...).method(x): a method called as a reader would."""

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and node.args
                and isinstance(node.args[0], ast.Call)
                and ast.unparse(node.args[0].func) == f.value.id):
            return ast.Call(ast.Attribute(node.args[0], f.attr, ast.Load()), node.args[1:],
                            node.keywords)
        return node


def readable(tests):
    """Each test named for what it calls and what it says happens; None, True, False with 'is'."""
    taken = set()
    for test in tests:
        if getattr(test, "named", False):
            base, n = test.name, 2
            while test.name in taken:
                test.name, n = "%s_case_%d" % (base, n), n + 1
            taken.add(test.name)
            test.returns = ast.Constant(None)
            BoundCalls().visit(test)
            singletons(test)
            continue
        call = subject(test)
        what = slug(called_name(call), 6) if call is not None else test.name[len("test_"):]
        name = "test_%s_%s" % (what, outcome(test))
        if name in taken and call is not None and arguments(call):
            name += "_for_" + arguments(call)
        base, n = name, 2
        while name in taken:
            name, n = "%s_case_%d" % (base, n), n + 1
        name = identifier(name)
        while name in taken:
            name, n = "%s_case_%d" % (base, n), n + 1
        taken.add(name)
        test.name = name
        test.returns = ast.Constant(None)
        BoundCalls().visit(test)
        for node in ast.walk(test):
            if isinstance(node, ast.keyword) and node.arg == "match" \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                node.value.value = node.value.value.replace("\\ ", " ")  # a space needs no escape
        singletons(test)
    return tests


def as_unittest(test):
    """A pytest-style test as a TestCase method: self.assertEqual / assertIs / assertRaisesRegex."""

    class Rewrite(ast.NodeTransformer):
        def visit_Assert(self, node):
            t = node.test
            if isinstance(t, ast.Compare) and len(t.ops) == 1:
                method = {ast.Eq: "assertEqual", ast.Is: "assertIs"}.get(type(t.ops[0]))
                if method:
                    if method == "assertIs" and isinstance(t.comparators[0], ast.Constant) \
                            and t.comparators[0].value is None:
                        return call_stmt("assertIsNone", [t.left])
                    return call_stmt(method, [t.left, t.comparators[0]])
            if isinstance(t, ast.Call) and ast.unparse(t.func) == "isinstance":
                return call_stmt("assertIsInstance", t.args)
            return call_stmt("assertTrue", [t])

        def visit_With(self, node):
            for item in node.items:
                e = item.context_expr
                if isinstance(e, ast.Call) and ast.unparse(e.func) == "pytest.raises":
                    match = [k.value for k in e.keywords if k.arg == "match"]
                    name = "assertRaisesRegex" if match else "assertRaises"
                    item.context_expr = ast.Call(
                        ast.Attribute(ast.Name("self", ast.Load()), name, ast.Load()),
                        [e.args[0]] + match, [])
            self.generic_visit(node)
            return node

    def call_stmt(name, args):
        return ast.Expr(ast.Call(ast.Attribute(ast.Name("self", ast.Load()), name, ast.Load()),
                                 args, []))

    test = Rewrite().visit(copy.deepcopy(test))
    test.args.args.insert(0, ast.arg("self"))
    if any("given" in ast.unparse(d) for d in test.decorator_list):
        # each run of a TestCase method is on a new instance: Hypothesis sees a new executor each
        # time the method runs again in one process, which is harmless for a test without state
        test.decorator_list.append(ast.parse(
            "settings(suppress_health_check=[HealthCheck.differing_executors])").body[0].value)
    return test


def render(module, imports, tests, runner):
    lines = ['"""Tests of %s, written by etask from %s\'s examples.'
             % (module, TOOL_NAMES.get(TOOL[0], TOOL[0])), "",
             'Each passed three runs and runs code that the tests before it do not.', '"""']
    body = [ast.unparse(t) for t in tests]
    text = "\n".join(body)
    plain = {"import unittest"} if runner == "unittest" else set()
    if runner == "unittest" and "@given" in text:
        plain.add("from hypothesis import HealthCheck, settings")
    if runner != "unittest" and "pytest." in text:
        plain.add("import pytest")
    names = {}
    for i in imports:
        if isinstance(i, ast.ImportFrom) and any(a.asname for a in i.names):
            plain.add(ast.unparse(i))
        elif isinstance(i, ast.ImportFrom) and i.level == 0:
            names.setdefault(i.module, set()).update(a.name for a in i.names if not a.asname)
        elif isinstance(i, ast.Import) and ast.unparse(i) != "import pytest":
            plain.add(ast.unparse(i))
    used = [n for n in sorted(names) if names[n]]
    lines += [""] + sorted(plain)
    lines += [""] * bool(plain and used) + [
        "from %s import %s" % (m, ", ".join(sorted(names[m], key=lambda x: (x.lower(), x))))
        for m in used]
    if runner == "unittest":
        lines += ["", "", "class Test%sExamples(unittest.TestCase):" % camel(module.split(".")[-1])]
        for i, t in enumerate(tests):
            lines += [""] * (i > 0) + ["    " + line for line in ast.unparse(as_unittest(t)).splitlines()]
        lines += ["", "", 'if __name__ == "__main__":', "    unittest.main()"]
    else:
        for t in body:
            lines += ["", ""] + t.splitlines()
    return "\n".join(lines) + "\n"


def camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


# ------------------------------------------------------------------------- hypothesis, pynguin


def ghostwrite(module_name, out):
    try:
        import hypothesis  # noqa: F401  the project's own, through the gates' venv
    except ImportError:
        print("hypothesis is not a test dependency of this repository: generator.builtin:"
              " hypothesis writes tests only where the project already uses it (declare it with"
              " its test dependencies, or use generator.builtin: crosshair)")
        return 3
    import importlib
    import inspect
    import typing

    from hypothesis.extra import ghostwriter

    module = importlib.import_module(module_name)
    source = inspect.getsource(module)
    raised = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            error = getattr(__builtins__, getattr(exc, "id", ""), None) \
                if not isinstance(__builtins__, dict) else __builtins__.get(getattr(exc, "id", ""))
            if isinstance(error, type) and issubclass(error, Exception):
                raised.add(error)
    code = ghostwriter.magic(module, except_=tuple(sorted(raised, key=str)) or (), style="pytest")
    returns = {}
    for name, value in vars(module).items():
        if getattr(value, "__module__", None) != module_name or name.startswith("_"):
            continue
        if inspect.isclass(value):
            returns[name] = module_name + "." + name
        elif inspect.isfunction(value):
            try:
                hint = typing.get_type_hints(value).get("return", inspect.Signature.empty)
            except Exception:
                continue
            if hint is type(None):
                returns[name] = "None"
            elif isinstance(hint, type) and hint.__module__ == "builtins":
                returns[name] = hint.__name__
            elif isinstance(hint, type) and hint.__module__ == module_name:
                returns[name] = module_name + "." + hint.__name__
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"code": code, "returns": returns}, f)
    return 0


def hypothesis(module, root, budget):
    """Ghostwriter's property tests, each made to check what its function returns (an
    isinstance, or is None); one whose return type is unknown is left out (no assertion)."""
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "etask-ghostwriter.json")
    done = subprocess.run([sys.executable, __file__, "--ghostwrite", module, out],
                          capture_output=True, text=True, timeout=budget * 20 + 60,
                          env=tool_environment(root), stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        print(done.stdout.strip() or done.stderr.strip()[-2000:])
        sys.exit(done.returncode)
    with open(out, encoding="utf-8") as f:
        written = json.load(f)
    tree = ast.parse(written["code"])
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    tests = []
    for test in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
        if checks_return(test, module, written["returns"]):
            tests.append(test)
    return imports, tests


def checks_return(test, module, returns):
    """Turns 'module.f(x=x)' in the test into 'result = module.f(x=x)' followed by an assertion
    of what f returns; names the test for it. False when f's return type is not known."""
    for body in [test.body] + [n.body for n in ast.walk(test) if isinstance(n, ast.Try)]:
        for i, stmt in enumerate(body):
            if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
                continue
            called = ast.unparse(stmt.value.func)
            name = called[len(module) + 1:] if called.startswith(module + ".") else ""
            kind = returns.get(name)
            if not kind:
                continue
            check = "assert result is None" if kind == "None" else \
                "assert isinstance(result, %s)" % kind
            body[i:i + 1] = [ast.parse("result = " + ast.unparse(stmt.value)).body[0],
                             ast.parse(check).body[0]]
            given = [a.arg for a in test.args.args]
            what = "none" if kind == "None" else slug(kind.split(".")[-1], 3)
            test.name = "test_%s_returns_%s_for_any_%s" % (slug(name, 4), what,
                                                           "_and_".join(given) or "input")
            test.named = True
            return True
    return False


def pynguin(module, root, budget):
    """Pynguin's tests (it runs the module with random inputs: only with sandbox: required),
    made readable: the constants it asserts right after assigning gone, values used once
    inlined, the module's names imported, tests that expect an unknown failure left out."""
    out = tempfile.mkdtemp(prefix="etask-pynguin-")
    env = tool_environment(root)
    env["PYNGUIN_DANGER_AWARE"] = "1"  # the generator's sandbox holds what it runs
    argv = [sys.executable, "-m", "pynguin", "--project-path", root, "--module-name", module,
            "--output-path", out, "--report-dir", os.path.join(out, "report"),
            "--maximum-search-time", str(budget * 3),
            "--assertion-generation", "SIMPLE", "--seed", "1"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=budget * 20 + 60,
                              env=env, stdin=subprocess.DEVNULL, cwd=root)
    except subprocess.TimeoutExpired:
        print("pynguin ran out of its %d s for %s" % (budget * 20 + 60, module))
        return [], []
    written = sorted(n for n in os.listdir(out) if n.startswith("test_") and n.endswith(".py"))
    path = os.path.join(out, written[0]) if written else ""
    if not written:
        print("pynguin wrote no test for %s (exit %d)\n%s" % (module, done.returncode,
                                                             done.stdout[-2000:]))
        return [], []
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return plain(tree, module)


def plain(tree, module):
    aliases = {module}
    for node in tree.body:
        if isinstance(node, ast.Assign) and "sys.modules" in ast.unparse(node.value):
            aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        if isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == module and a.asname}
    used = set()

    class Unqualify(ast.NodeTransformer):
        def visit_Attribute(self, node):
            self.generic_visit(node)
            if isinstance(node.value, ast.Name) and node.value.id in aliases:
                used.add(node.attr)
                return ast.Name(node.attr, ast.Load())
            if ast.unparse(node.value) in aliases:
                used.add(node.attr)
                return ast.Name(node.attr, ast.Load())
            return node

    tests = []
    for test in [n for n in tree.body if isinstance(n, ast.FunctionDef)]:
        if any("xfail" in ast.unparse(d) for d in test.decorator_list):
            continue  # it expects a failure it does not name
        test = Unqualify().visit(test)
        simplify(test)
        tests.append(test)
    imports = [ast.parse("from %s import %s" % (module, n)).body[0] for n in sorted(used)]
    if any("pytest." in ast.unparse(t) for t in tests):
        imports.append(ast.parse("import pytest").body[0])
    return imports, tests


def inline_results(test):
    """'v = f(x)' then 'assert v == y', v used nowhere else -> 'assert f(x) == y'."""
    uses = {}
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            uses[node.id] = uses.get(node.id, 0) + 1
    body, skip = [], False
    for i, stmt in enumerate(test.body):
        nxt = test.body[i + 1] if i + 1 < len(test.body) else None
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and uses.get(stmt.targets[0].id) == 1
                and isinstance(nxt, ast.Assert) and isinstance(nxt.test, ast.Compare)
                and isinstance(nxt.test.left, ast.Name)
                and nxt.test.left.id == stmt.targets[0].id):
            nxt.test.left = stmt.value
            continue
        body.append(stmt)
    test.body = body


def rename_values(test):
    """var_12 = Account() -> account; the other var_N -> value, value_2, ..."""
    names, taken = {}, set()
    for stmt in test.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id.startswith("var_"):
            v = stmt.value
            base = "value"
            if isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id[:1].isupper():
                base = re.sub(r"(?<!^)(?=[A-Z])", "_", v.func.id).lower()
            name, n = base, 2
            while name in taken:
                name, n = "%s_%d" % (base, n), n + 1
            taken.add(name)
            names[stmt.targets[0].id] = name
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = names[node.id]


def singletons(test):
    """'== True/False/None' -> 'is ...' (what linters ask: E711, E712). The expected value is the
    repr of what the call returned, so '== True' means it returned the bool True: 'is' holds."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.comparators[0], ast.Constant) \
                and node.comparators[0].value in (True, False, None) \
                and type(node.comparators[0].value) in (bool, type(None)):
            if isinstance(node.ops[0], ast.Eq):
                node.ops[0] = ast.Is()
            elif isinstance(node.ops[0], ast.NotEq):
                node.ops[0] = ast.IsNot()


def simplify(test):
    """Drops 'assert v == C' right after 'v = C', inlines constants used once, drops the unused."""
    body = []
    constants = {}
    for stmt in test.body:
        if (isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Compare)
                and isinstance(stmt.test.left, ast.Name) and stmt.test.left.id in constants):
            continue
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, (ast.Constant, ast.UnaryOp))):
            constants[stmt.targets[0].id] = stmt.value
        body.append(stmt)
    test.body = body
    uses = {}
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            uses[node.id] = uses.get(node.id, 0) + 1

    class Inline(ast.NodeTransformer):
        def visit_Name(self, node):
            if isinstance(node.ctx, ast.Load) and uses.get(node.id) == 1 and node.id in constants:
                return constants[node.id]
            return node

    test = Inline().visit(test)
    test.body = [s for s in test.body if not (
        isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
        and s.targets[0].id in constants and uses.get(s.targets[0].id, 0) <= 1)]
    inline_results(test)
    rename_values(test)
    calls = []
    for node in [n for stmt in test.body for n in ast.walk(stmt)]:
        if isinstance(node, ast.Call) and not ast.unparse(node.func).startswith(("pytest", "isinstance")):
            name = slug(ast.unparse(node.func).split(".")[-1], 3)
            if name not in calls:
                calls.append(name)
    if len(calls) > 1:
        test.name = "test_" + "_then_".join(calls[:4])
        test.named = True


# ---------------------------------------------------------------------------------- the checks


def check(target, test_file, root):
    """Runs the file's tests RUNS times; returns (kept names, pruned {name: why})."""
    runs = []
    for n in range(RUNS):
        out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "etask-add-tests-%d.json" % n)
        if os.path.exists(out):
            os.remove(out)  # a run that dies writes nothing: never an earlier run's results
        subprocess.run([sys.executable, __file__, "--measure", target, test_file, out],
                       capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                       env=tool_environment(root))
        try:
            with open(out, encoding="utf-8") as f:
                runs.append(json.load(f))
        except (OSError, ValueError):
            runs.append({})
    pruned, kept, reached = {}, [], set()
    known = covered(target)
    names = list(runs[0]) if runs[0] else []
    for name in names:
        outcomes = [r.get(name, {}).get("outcome", "not run") for r in runs]
        if outcomes[0] != "passed":
            pruned[name] = "fails: " + runs[0][name].get("message", outcomes[0])[:200]
        elif any(o != "passed" for o in outcomes):
            pruned[name] = "flaky: " + ", ".join(outcomes)
        elif known is not None:
            lines = set(runs[0][name].get("lines", []))
            if lines - known:
                kept.append(name)
                known |= lines
            else:
                pruned[name] = "runs no line the project's tests and the tests above it do not"
        else:
            arcs = {tuple(a) for a in runs[0][name].get("arcs", [])}
            if arcs - reached:
                kept.append(name)
                reached |= arcs
            else:
                pruned[name] = "reaches nothing the tests above it do not"
    return kept, pruned


def covered(target):
    """The lines of target the project's tests already run (ETASK_COVERED), or None unknown."""
    path = os.environ.get("ETASK_COVERED")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            lines = json.load(f).get(os.path.relpath(target).replace(os.sep, "/"))
    except (OSError, ValueError):
        return None
    return None if lines is None else set(lines)


def measure(target, test_file, out):
    import coverage
    import pytest

    target = os.path.realpath(target)
    results = {}
    cov = coverage.Coverage(data_file=None, branch=True, include=[target], config_file=False)

    class Record:
        def pytest_runtest_setup(self, item):
            cov.switch_context(item.name)

        def pytest_runtest_logreport(self, report):
            name = report.nodeid.split("::")[-1]
            entry = results.setdefault(name, {"outcome": "passed"})
            if report.failed:
                entry["outcome"] = "failed"
                entry["message"] = str(report.longrepr).strip().splitlines()[-1:][0] \
                    if report.longrepr else "failed"
            elif report.skipped and entry["outcome"] == "passed":
                entry["outcome"] = "skipped"

    cov.start()
    try:
        pytest.main([test_file, "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=",
                     "-W", "ignore::DeprecationWarning"], plugins=[Record()])
    finally:
        cov.stop()
    data = cov.get_data()
    for name, entry in results.items():
        data.set_query_contexts(["^" + re.escape(name.split("[")[0]) + "$"])
        entry["arcs"] = sorted(data.arcs(target) or [])
        entry["lines"] = sorted(data.lines(target) or [])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f)


# ---------------------------------------------------------------------------------- the batch


def formatted(path):
    """The new file laid out by the venv's ruff with the repository's settings (line length):
    the file is the generator's own, so this changes nothing of the project's."""
    ruff = shutil.which("ruff")
    if ruff:
        subprocess.run([ruff, "format", "--no-cache", "--quiet", path], capture_output=True,
                       timeout=60, stdin=subprocess.DEVNULL)


def destination(module):
    folder = os.environ.get("ETASK_TEST_DIR") or "tests"
    os.makedirs(folder, exist_ok=True)
    base = module.split(".")[-1]
    for name in ("test_%s.py" % base, "test_%s_examples.py" % base):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            return path
    return os.path.join(folder, "test_%s_examples_%s.py" % (base, slug(module, 8)))


def style():
    """'unittest' when the project's runner is unittest, or when its tests are all TestCase
    classes and none is written for pytest; else 'pytest'."""
    if os.environ.get("ETASK_RUNNER") == "unittest":
        return "unittest"
    folder = os.environ.get("ETASK_TEST_DIR") or "tests"
    pytest_style = unittest_style = 0
    for here, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".py") and name.startswith("test"):
                with open(os.path.join(here, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                if re.search(r"^import pytest|^from pytest|^def test", text, re.M):
                    pytest_style += 1
                elif re.search(r"unittest\.TestCase|\(TestCase\)", text):
                    unittest_style += 1
    return "unittest" if unittest_style and not pytest_style else "pytest"


def examples(tool, module, root, budget):
    if tool == "crosshair":
        return parse(crosshair(module, root, budget))
    if tool == "hypothesis":
        return hypothesis(module, root, budget)
    if tool == "pynguin":
        return pynguin(module, root, budget)
    print("no such built-in generator: " + tool)
    sys.exit(2)


def generate(tool, path):
    runner = style()
    budget = int(os.environ.get("ETASK_BUDGET", "10"))
    root, module = module_of(path)
    imports, tests = examples(tool, module, root, budget)
    if not tests:
        print("%s: no example found" % path)
        return 0
    tests = readable(tests)
    target = destination(module)
    with open(target, "w", encoding="utf-8") as f:
        f.write(render(module, imports, tests, runner))
    kept, pruned = check(path, target, root)
    for name, why in pruned.items():
        print("pruned %s: %s" % (name, why))
    tests = [t for t in tests if t.name in kept]
    if not tests:
        os.remove(target)
        print("%s: every example was pruned; nothing written" % path)
        return 0
    with open(target, "w", encoding="utf-8") as f:
        f.write(render(module, imports, tests, runner))
    formatted(target)
    print("%s: wrote %s with %d test(s)" % (path, target, len(tests)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
