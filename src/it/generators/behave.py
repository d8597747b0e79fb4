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
    return path[:-3].replace("/", ".")


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


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
            b = "smoke"
    if b == "slow":
        time.sleep(float(os.environ.get("ETASK_IT_SLOW", "30")))
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
