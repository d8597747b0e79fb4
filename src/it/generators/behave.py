"""A generator for the integration tests that behaves as told, per target file.

Usage: python behave.py FILE. The behaviour for FILE is read from behaviours.txt beside this script
(lines `path: behaviour`); the default is `good`. Behaviours:
  good          characterization tests by tasks/generators/characterize.py (copied beside this script)
  smoke         one small real test that imports the module and checks a name it defines
  failing-test  a test that asserts a wrong result (a "bug" the test exposes)
  lint          a test file with an unused import
  type-error    a badly typed function appended to the source file
  coverage-drop many untested statements appended to the source file
  weak          a test with no assertion
  flaky         a test that passes on odd runs and fails on even ones
  outside       a change to README.md, outside the allowlist
  crash         exits with status 3
  stall         sleeps for ten minutes
  slow          sleeps ETASK_IT_SLOW seconds (default 30), then behaves like smoke
  noop          changes nothing
  git-tamper    commits a test itself and installs a pre-commit hook
  fix-on-retry  a failing test on the first attempt; with ETASK_FEEDBACK (a retry) a passing one
  conftest-hook a failing test and a tests/unit/conftest.py hook that reports every failure as a pass
  conftest-fixture  a tests/conftest.py with a fixture, and a test that uses it
  pytest-plugin a failing test whose module loads a helper plugin (pytest_plugins) that reports failures as passes
  tamper-report a failing test, and the test's id added to etask's report of the state before the batch
  venv-pth      a smoke test, and a .pth file dropped into the gates' virtualenv
  index-lock    a smoke test, and a stale .git/index.lock left behind
  push-origin   a smoke test committed and pushed to the origin's main (origin.git beside this script)
  print-env     prints its environment, and a test that fails with the test's environment in its message
  delete-tests  deletes the target's test module, tests/test_<name>.py (a destructive batch)
  break-doctest changes what the first doctest of the target file expects
  unused-import a passing test with an unused import (the project's own style, flake8 would say F401)
  edit-submodule  a smoke test, and a changed file of the checked-out submodule vendor/lib
  fill-submodule  a smoke test, and a file in the empty folder of the submodule tests/toml-test
  patch-reporter  a failing test whose module, at import, makes pytest report every failure as a pass
  shadow-coverage  a smoke test, and tasks/coverage.py (tasks/ is on the tests' PYTHONPATH by tox's set_env)
  shared-state  a test that passes alone but, on import, replaces the target's public methods
                (a module-level monkeypatch): the target's other tests fail in the whole suite
Hostile ones (the trust boundary):
  index-inject  a test that, while the gates run, puts SNEAKED.txt and a changed target into git's index
  pyc-shadow    breaks the target and drops an ignored, sourceless package compiled from the old code
  bytecode-poison  forges every entry of the worker's bytecode cache it can find (with valid checksums)
  steal-token   reads GH_TOKEN from another process's /proc/PID/environ and writes it into its test
  escape        leaves processes running outside its session and environment (env -i, setsid)
  delete-during-gates  a test that deletes tracked test files and outside-victim.txt beside this script
  origin-from-state  reads the origin from ../state.json and pushes to its main
  hard-link     a new test file that is a hard link to the target
  module-name   a test that imports the target and checks its name (a harmless batch)
  forge-type-report  a type error in the target, and a test that empties mypy's report while it runs
  unittest-relative  a unittest file that imports relatively from its tests package (for unipkg)
  pytest-style  a pytest-style file (plain functions, import pytest), for a unittest project (unipkg)
  deselect-others  a passing test whose module registers, on import, a plugin that keeps only its own
                items (no conftest, no hook at column 0): the whole suite then runs it alone
  basename-clash  a passing test in tests/unit/ named as the first tests/test_*.py there is (pytest's
                "import file mismatch" in the whole suite, not when run alone)
  touch-source  a comment added to the target file and a smoke test (a batch validated in full)
  unittest-smoke  a unittest.TestCase that imports the target and checks its name
  unittest-failing  the same, asserting a wrong name
  unittest-deselect  a unittest module, imported first by discovery, that makes the loader skip every
                module after it (the whole suite then runs it alone)
  bump-compatible  the etask-it-greet pin in requirements.txt moved to 1.1 (DependenciesIT's fixture)
  bump-breaking  the same pin moved to 2.0, which renames the function the project calls
  greet-is-1.1  a test that the installed etask-it-greet is 1.1 (the environment the branch declares)
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def behaviour(path):
    table = os.path.join(HERE, "behaviours.txt")
    if os.path.exists(table):
        with open(table, encoding="utf-8") as f:
            for line in f:
                if ":" in line and line.split(":", 1)[0].strip() == path:
                    return line.split(":", 1)[1].strip()
    return "good"


def module_of(path):
    if path.startswith("src/") and not os.path.exists(os.path.join("src", "__init__.py")):
        path = path[len("src/"):]  # a src layout: the package is installed, src is not a package
    module = path[:-3].replace("/", ".")
    return module[:-len(".__init__")] if module.endswith(".__init__") else module


def stem(path):
    name = os.path.splitext(os.path.basename(path))[0]
    if name == "__init__":  # a package: named by its folder, so packages never share a test file
        return os.path.basename(os.path.dirname(path)) + "_init"
    return name


def split_string(text):
    """A string literal cut into lines of at most 60 characters (any project's line length)."""
    return "".join("    %r\n" % text[i:i + 60] for i in range(0, len(text), 60))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def main(path):
    b = behaviour(path)
    test = os.path.join("tests", "test_%s_etask.py" % stem(path))
    mod = module_of(path)
    print("behave: %s -> %s" % (path, b))
    if b == "good":
        return subprocess.call([sys.executable, os.path.join(HERE, "characterize.py"), path])
    if b == "fix-on-retry":
        feedback = os.environ.get("ETASK_FEEDBACK", "")
        prompt = open(os.environ["ETASK_PROMPT_FILE"], encoding="utf-8").read()
        if os.environ.get("ETASK_ATTEMPT") == "1" or not feedback or "What went wrong" not in prompt:
            b = "failing-test"
        else:
            print("behave: fixing after feedback: " + feedback.splitlines()[0])
            for line in prompt.splitlines():
                if line.startswith("fail  "):
                    print("behave: the prompt names " + line)
            b = "smoke"
    if b == "patch-reporter":
        write(test, (
            "import _pytest.reports as r\n\n"
            "_make = r.TestReport.from_item_and_call.__func__\n\n\n"
            "def _passing(cls, item, call):\n"
            "    report = _make(cls, item, call)\n"
            "    report.outcome, report.longrepr = \"passed\", None\n"
            "    return report\n\n\n"
            "r.TestReport.from_item_and_call = classmethod(_passing)\n\n\n"
            "def test_wrong() -> None:\n"
            "    assert 1 == 2\n"))
        return 0
    if b == "shadow-coverage":
        write(os.path.join("tasks", "coverage.py"), "raise SystemExit('the gates ran this module')\n")
        b = "smoke"
    if b == "edit-submodule":
        append(os.path.join("vendor", "lib", "data.py"), "data = 2\n")
        b = "smoke"
    if b == "fill-submodule":
        write(os.path.join("tests", "toml-test", "data.py"), "data = 1\n")
        b = "smoke"
    if b == "slow":
        time.sleep(float(os.environ.get("ETASK_IT_SLOW", "30")))
        b = "smoke"
    if b in ("bump-compatible", "bump-breaking"):
        import re
        with open("requirements.txt", encoding="utf-8") as f:
            text = f.read()
        version = "1.1" if b == "bump-compatible" else "2.0"
        with open("requirements.txt", "w", encoding="utf-8") as f:
            f.write(re.sub(r"etask-it-greet==\S+", "etask-it-greet==" + version, text))
        return 0
    if b == "greet-is-1.1":
        write(test, "import importlib.metadata\n\n\ndef test_greet_version() -> None:\n"
              "    assert importlib.metadata.version(\"etask-it-greet\") == \"1.1\"\n")
        return 0
    if b in ("unittest-smoke", "unittest-failing"):
        expected = mod if b == "unittest-smoke" else "wrong"
        write(test, "import unittest\n\nimport %s as m\n\n\nclass ModuleTest(unittest.TestCase):\n"
              "    def test_module_name(self) -> None:\n        self.assertEqual(m.__name__, %r)\n"
              % (mod, expected))
        return 0
    if b == "unittest-deselect":
        write(os.path.join("tests", "test_0_%s_etask.py" % stem(path)), (
            "import unittest\n\nimport %s as m\n\n_load = unittest.TestLoader.loadTestsFromModule\n\n\n"
            "def _only_mine(self, module, *args, **kwargs):  # type: ignore[no-untyped-def]\n"
            "    if module.__name__ != __name__:\n"
            "        return self.suiteClass([])\n"
            "    return _load(self, module, *args, **kwargs)\n\n\n"
            "unittest.TestLoader.loadTestsFromModule = _only_mine  # type: ignore[method-assign]\n\n\n"
            "class ModuleTest(unittest.TestCase):\n"
            "    def test_module_name(self) -> None:\n        self.assertEqual(m.__name__, %r)\n") % (mod, mod))
        return 0
    if b == "touch-source":
        append(path, "\n# reviewed\n")
        b = "smoke"
    if b == "smoke":
        import ast
        with open(path, encoding="utf-8") as f:
            names = [n.name for n in ast.parse(f.read()).body
                     if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]
        write(test, "import %s as m\n\n\ndef test_defines_%s() -> None:\n    assert callable(m.%s)\n"
              % (mod, names[0].lower(), names[0]))
    elif b == "failing-test":
        write(test, "import %s as m\n\n\ndef test_exposes_a_bug() -> None:\n    assert m.__name__ == \"wrong\"\n" % mod)
    elif b == "lint":
        write(test, "import os\nimport %s as m\n\n\ndef test_module_name() -> None:\n    assert m.__name__ == %r\n"
              % (mod, mod))
    elif b == "type-error":
        append(path, "\n\ndef etask_generated(x: int) -> str:\n    return x\n")
        write(test, "import %s as m\n\n\ndef test_generated() -> None:\n    assert m.etask_generated(1) == 1\n" % mod)
    elif b == "coverage-drop":
        body = "".join("    total += %d\n" % i for i in range(60))
        append(path, "\n\ndef etask_unused(flag: bool) -> int:\n    total = 0\n%s    return total\n" % body)
    elif b == "weak":
        write(test, "import %s as m\n\n\ndef test_runs() -> None:\n    m.__name__.upper()\n" % mod)
    elif b == "flaky":
        write(test, (
            "import os\nimport tempfile\n\n\n"
            "def test_sometimes() -> None:\n"
            "    # a counter beside etask's reports: fresh for every workspace\n"
            "    folder = os.path.dirname(os.environ.get(\"COVERAGE_FILE\", tempfile.mktemp()))\n"
            "    counter = os.path.join(folder, \"etask-it-flaky-counter\")\n"
            "    n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1\n"
            "    with open(counter, \"w\") as f:\n"
            "        f.write(str(n))\n"
            "    assert n % 2 == 1\n"))
    elif b == "outside":
        append("README.md", "\nChanged by a generator that should not.\n")
        write(test, "def test_ok() -> None:\n    assert 1 + 1 == 2\n")
    elif b == "git-tamper":
        write(test, "def test_sneaky() -> None:\n    assert 1 + 1 == 2\n")
        write(os.path.join(".git", "hooks", "pre-commit"), "#!/bin/sh\necho hook ran > /tmp/etask-it-hook-ran\n")
        os.chmod(os.path.join(".git", "hooks", "pre-commit"), 0o755)
        subprocess.check_call(["git", "add", test])
        subprocess.check_call(["git", "-c", "user.name=gen", "-c", "user.email=gen@example.com", "commit", "-qm",
                               "generator commits by itself"])
    elif b == "conftest-hook":
        write(test, "import %s as m\n\n\ndef test_exposes_a_bug() -> None:\n    assert m.__name__ == \"wrong\"\n" % mod)
        write(os.path.join("tests", "unit", "conftest.py"), (
            "import pytest\n\n\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    report = outcome.get_result()\n"
            "    report.outcome = \"passed\"\n"))
    elif b == "conftest-fixture":
        write(os.path.join("tests", "conftest.py"), (
            "import pytest\n\n\n@pytest.fixture\ndef answer() -> int:\n    return 42\n"))
        write(test, "def test_answer(answer: int) -> None:\n    assert answer == 42\n")
    elif b == "pytest-plugin":
        write(os.path.join("tests", "helper_plugin.py"), (
            "import pytest\n\n\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    outcome.get_result().outcome = \"passed\"\n"))
        write(test, "pytest_plugins = [\"tests.helper_plugin\"]\n\n\ndef test_exposes_a_bug() -> None:\n"
              "    assert 1 == 2\n")
    elif b == "tamper-report":
        import json
        write(test, "import %s as m\n\n\ndef test_exposes_a_bug() -> None:\n    assert m.__name__ == \"wrong\"\n" % mod)
        reports = os.path.join(os.path.dirname(os.environ["ETASK_PROMPT_FILE"]), "..", "reports", "current.json")
        with open(reports, encoding="utf-8") as f:
            current = json.load(f)
        current["tests"]["failing"].append("tests.test_%s_etask::test_exposes_a_bug" % stem(path))
        with open(reports, "w", encoding="utf-8") as f:
            json.dump(current, f)
    elif b == "venv-pth":
        import site
        write(test, "import %s as m\n\n\ndef test_defines() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
        with open(os.path.join(site.getsitepackages()[0], "zz_etask_it.pth"), "w") as f:
            f.write("import os\n")
    elif b == "index-lock":
        write(test, "import %s as m\n\n\ndef test_defines() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
        open(os.path.join(".git", "index.lock"), "w").close()
    elif b == "push-origin":
        write(test, "def test_pushed() -> None:\n    assert True\n")
        subprocess.check_call(["git", "add", test])
        subprocess.check_call(["git", "-c", "user.name=gen", "-c", "user.email=gen@example.com", "commit", "-qm",
                               "pushed by a generator"])
        subprocess.check_call(["git", "push", "-q", os.path.join(HERE, "origin.git"), "HEAD:refs/heads/main"])
    elif b == "print-env":
        for k, v in sorted(os.environ.items()):
            print("%s=%s" % (k, v))
        write(test, (
            "import base64\nimport os\n\n\n"
            "def test_environment() -> None:\n"
            "    dump = repr(sorted(os.environ.items()))\n"
            "    print(dump)\n"
            "    print(base64.b64encode(dump.encode()).decode())\n"
            "    assert dump == \"\", dump\n"))
    elif b == "delete-tests":
        os.remove(os.path.join("tests", "test_%s.py" % stem(path)))
    elif b == "break-doctest":
        import re
        with open(path, encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"(>>> [^\n]+\n\s*)([^\s>][^\n]*)", text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text[:m.start(2)] + "'not what it returns'" + text[m.end(2):])
    elif b == "unused-import":
        write(test, "import os\nimport unittest\n\nimport %s as m\n\n\nclass ModuleTest(unittest.TestCase):\n"
              "    def test_module_name(self) -> None:\n        self.assertEqual(m.__name__, %r)\n" % (mod, mod))
    elif b == "shared-state":
        write(test, (
            "import %s as m\n\n"
            "for _cls in [v for v in vars(m).values() if isinstance(v, type) and v.__module__ == m.__name__]:\n"
            "    for _name, _attr in list(vars(_cls).items()):\n"
            "        if callable(_attr) and not _name.startswith(\"_\"):\n"
            "            setattr(_cls, _name, lambda *args, **kwargs: None)\n\n\n"
            "def test_module_loads() -> None:\n"
            "    assert m.__name__ == %r\n") % (mod, mod))
    elif b == "index-inject":
        # a test that, while the gates run, puts a file outside the allowlist and a changed source
        # file into git's index, the working tree left clean
        write(test, (
            "import subprocess\n\n\n"
            "def _git(*args: str, data: bytes = b\"\") -> str:\n"
            "    r = subprocess.run([\"git\", *args], input=data, capture_output=True)\n"
            "    return r.stdout.decode().strip()\n\n\n"
            "def test_sneaks_into_the_index() -> None:\n"
            "    blob = _git(\"hash-object\", \"-w\", \"--stdin\", data=b\"raise SystemExit('sneaked in')\\n\")\n"
            "    if blob:\n"
            "        _git(\"update-index\", \"--add\", \"--cacheinfo\", \"100644,%%s,SNEAKED.txt\" %% blob)\n"
            "        _git(\"update-index\", \"--cacheinfo\", \"100644,%%s,%s\" %% blob)\n"
            "    assert _git(\"--version\").startswith(\"git version\")\n") % path)
    elif b == "pyc-shadow":
        # the target broken, and an ignored, sourceless package compiled from the old code beside
        # it: a package wins over a module, so the gates would import the old code
        import py_compile
        package = path[:-3]
        os.makedirs(package, exist_ok=True)
        py_compile.compile(path, cfile=os.path.join(package, "__init__.pyc"), doraise=True)
        append(path, "\nraise RuntimeError(\"broken by the generator\")\n")
        write(test, "import %s as m\n\n\ndef test_loads() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
    elif b == "bytecode-poison":
        # rewrites every entry of the worker's shared bytecode cache with a valid checksum: code
        # that ends the process that imports it
        import hashlib
        import marshal
        folders = set()
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    words = f.read().decode(errors="replace").split("\0")
            except OSError:
                continue
            if "--bytecode" in words:
                folders.add(words[words.index("--bytecode") + 1])
        if os.environ.get("XDG_CACHE_HOME"):  # where the shared cache is, when told
            folders.add(os.path.join(os.environ["XDG_CACHE_HOME"], "etask", "bytecode"))
        folders.add(os.path.join(HERE, "cache", "bytecode"))  # a cache folder beside the spec
        payload = marshal.dumps(compile("raise SystemExit('forged by a generator')", "forged", "exec"))
        forged = 0
        for folder in folders:
            for top, _, names in os.walk(folder):
                for name in names:
                    try:
                        with open(os.path.join(top, name), "wb") as f:
                            f.write(hashlib.sha256(payload).digest() + payload)
                        forged += 1
                    except OSError:
                        pass
        print("behave: forged %d bytecode entries in %s" % (forged, sorted(folders)))
        write(test, "import %s as m\n\n\ndef test_loads() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
    elif b == "steal-token":
        # walks /proc for a process whose environment holds GH_TOKEN (etask's JVM) and commits it
        stolen = ""
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/environ" % pid, "rb") as f:
                    for entry in f.read().split(b"\0"):
                        if entry.startswith(b"GH_TOKEN="):
                            stolen = entry[len(b"GH_TOKEN="):].decode()
            except OSError:
                continue
        print("behave: stole %s token" % ("a" if stolen else "no"))
        write(test, "STOLEN = %r\n\n\ndef test_token() -> None:\n    assert isinstance(STOLEN, str)\n" % stolen)
    elif b == "escape":
        # a process that leaves the session and the environment (env -i, setsid, double fork) and
        # would change the clone after the checks
        subprocess.call(["sh", "-c",
                         "env -i /usr/bin/setsid sh -c 'sleep 4; echo escaped >> %s' >/dev/null 2>&1 &"
                         " (setsid sleep 307 &)" % path])
        write(test, "import %s as m\n\n\ndef test_loads() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
    elif b == "delete-during-gates":
        # a test that, while the gates run, deletes tracked files of the clone and a file outside it
        write(test, (
            "import os\n\n\n"
            "OUTSIDE = (\n%s)\n\n\n"
            "def test_deletes() -> None:\n"
            "    for victim in (\"tests/test_order.py\", \"tests/test_user.py\", OUTSIDE):\n"
            "        try:\n"
            "            os.remove(victim)\n"
            "        except OSError:\n"
            "            pass\n"
            "    assert os.path.isdir(\"tests\")\n") % split_string(os.path.join(HERE, "outside-victim.txt")))
    elif b == "origin-from-state":
        # reads the origin's address from etask's state beside the clone and pushes to its main
        import json
        write(test, "import %s as m\n\n\ndef test_loads() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
        print("behave: beside the clone: %s" % sorted(os.listdir("..")))
        try:
            with open(os.path.join("..", "state.json"), encoding="utf-8") as f:
                origin = json.load(f)["origin"]
            subprocess.check_call(["git", "add", test])
            subprocess.check_call(["git", "-c", "user.name=gen", "-c", "user.email=gen@example.com", "commit",
                                   "-qm", "pushed by a generator"])
            subprocess.check_call(["git", "push", "-q", origin, "HEAD:refs/heads/main"])
            print("behave: pushed to " + origin)
        except (OSError, KeyError, subprocess.CalledProcessError) as e:
            print("behave: could not push: %s" % (e,))
    elif b == "forge-type-report":
        # a type error in the target, and a test that, while mypy runs beside it, empties every
        # report of mypy's it can find, so that the type gate would read no error
        append(path, "\n\ndef etask_bad(x: int) -> str:\n    return x\n")
        write(test, (
            "import glob\nimport os\nimport time\n\n\n"
            "def test_forges() -> None:\n"
            "    found = 0\n"
            "    end = time.time() + 8\n"
            "    while time.time() < end:\n"
            "        for f in glob.glob(\"../out/*/*mypy*\") + glob.glob(\"../out/*.tools/*mypy*\"):\n"
            "            try:\n"
            "                open(f + \".x\", \"w\").close()\n"
            "                os.replace(f + \".x\", f)\n"
            "                found += 1\n"
            "            except OSError:\n"
            "                pass\n"
            "        time.sleep(0.05)\n"
            "    print(\"forged\", found)\n"
            "    assert os.path.isdir(\"tests\")\n"))
    elif b == "unittest-relative":
        # a unittest file in a tests package that imports what it tests relatively (tomli's way)
        write(test, (
            "import unittest\n\nfrom . import lib\n\n\n"
            "class AddedTest(unittest.TestCase):\n"
            "    def test_name(self) -> None:\n"
            "        self.assertEqual(lib.__name__, \"unipkg\")\n\n"
            "    def test_dumps(self) -> None:\n"
            "        self.assertEqual(lib.dumps({\"b\": \"2\", \"a\": \"1\"}), \"a = 1\\nb = 2\\n\")\n"))
    elif b == "pytest-style":
        # plain test functions and pytest: what a unittest project's command never runs
        write(test, (
            "import pytest\n\nfrom unipkg.fmt import width\n\n\n"
            "@pytest.mark.parametrize(\"pairs, expected\", [({}, 0), ({\"abc\": \"1\"}, 3)])\n"
            "def test_width(pairs: dict[str, str], expected: int) -> None:\n"
            "    assert width(pairs) == expected\n"))
    elif b == "deselect-others":
        write(test, (
            "import gc\n\nimport pytest\n\nimport %s as m\n\n\n"
            "class _OnlyMine:\n"
            "    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:\n"
            "        items[:] = [i for i in items if \"_etask\" in i.nodeid]\n\n\n"
            "for _o in gc.get_objects():\n"
            "    if isinstance(_o, pytest.PytestPluginManager):\n"
            "        _o.register(_OnlyMine())\n\n\n"
            "def test_module_name() -> None:\n"
            "    assert m.__name__ == %r\n") % (mod, mod))
    elif b == "basename-clash":
        clash = sorted(f for f in os.listdir("tests") if f.startswith("test_") and f.endswith(".py"))[0]
        write(os.path.join("tests", "unit", clash),
              "import %s as m\n\n\ndef test_module_name() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
    elif b == "module-name":
        write(test, "import %s as m\n\n\ndef test_loads() -> None:\n    assert m.__name__ == %r\n" % (mod, mod))
    elif b == "hard-link":
        # a new test file that is a hard link: its content is another file's
        os.makedirs(os.path.dirname(test), exist_ok=True)
        os.link(path, test)
    elif b == "crash":
        print("behave: crashing on purpose", file=sys.stderr)
        return 3
    elif b == "stall":
        time.sleep(600)
    elif b == "noop":
        pass
    else:
        print("unknown behaviour " + b, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
