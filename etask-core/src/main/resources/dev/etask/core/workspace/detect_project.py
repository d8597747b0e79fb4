"""Prints, as JSON, what etask needs to know about a Python repository: what to install, where the
source packages are and where the tests are. Reads requirements*.txt, pyproject.toml ([project]
optional dependencies for tests, [dependency-groups]) and setup.py/setup.cfg. Runs anywhere
Python 3.9+ runs; tomllib (3.11+) or tomli, when present, reads pyproject.toml."""
import json
import os
import re
import sys

TEST_EXTRAS = ("test", "tests", "testing", "dev")
NOT_SOURCE = {"tests", "test", "testing", "docs", "doc", "examples", "example", "scripts", "build", "dist",
              "venv", ".venv", "env", "site-packages", "node_modules", "benchmarks", "bench"}


def load_toml(path):
    try:
        import tomllib as toml
    except ImportError:
        try:
            import tomli as toml
        except ImportError:
            return None
    with open(path, "rb") as f:
        return toml.load(f)


def group_requirements(groups, name, seen):
    out = []
    if name in seen:
        return out
    seen.add(name)
    for item in groups.get(name, []):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and "include-group" in item:
            out.extend(group_requirements(groups, item["include-group"], seen))
    return out


def install_args(root, pyproject):
    args = []
    reqs = sorted(f for f in os.listdir(root) if re.fullmatch(r"requirements.*\.txt", f) and "doc" not in f)
    reqs.sort(key=lambda f: (f != "requirements.txt", f))
    for f in reqs:
        args += ["-r", f]
    installable = False
    extras = []
    if pyproject is not None and isinstance(pyproject.get("project"), dict):
        installable = True
        optional = pyproject["project"].get("optional-dependencies") or {}
        extras = [e for e in TEST_EXTRAS if e in optional]
    elif pyproject is not None and isinstance(pyproject.get("build-system"), dict):
        installable = True  # e.g. poetry-core or flit with their own metadata tables
    elif os.path.exists(os.path.join(root, "setup.py")):
        installable = True  # setup.cfg alone is not installable: pip needs setup.py or pyproject.toml
    if installable:
        args += ["-e", "." + ("[" + ",".join(extras) + "]" if extras else "")]
    if pyproject is not None:
        groups = pyproject.get("dependency-groups") or {}
        for g in TEST_EXTRAS:
            if g in groups:
                args += group_requirements(groups, g, set())
    return args


def is_package(path):
    return os.path.isdir(path) and (os.path.exists(os.path.join(path, "__init__.py"))
                                    or any(f.endswith(".py") for f in os.listdir(path)))


def source_dirs(root):
    src = os.path.join(root, "src")
    if os.path.isdir(src):
        return ["src"]
    out = []
    for name in sorted(os.listdir(root)):
        full = os.path.join(root, name)
        if name.startswith(".") or name in NOT_SOURCE or name.endswith(".egg-info"):
            continue
        if os.path.isdir(full) and os.path.exists(os.path.join(full, "__init__.py")):
            out.append(name)
    if not out:
        out = [f for f in sorted(os.listdir(root)) if f.endswith(".py") and f not in ("setup.py", "conftest.py", "noxfile.py")
               and not f.startswith("test_")]
    return out


def test_dirs(root):
    return [d for d in ("tests", "test", "testing") if os.path.isdir(os.path.join(root, d))]


def main():
    root = sys.argv[1]
    pyproject = None
    pp = os.path.join(root, "pyproject.toml")
    if os.path.exists(pp):
        pyproject = load_toml(pp)
    print(json.dumps({"install": install_args(root, pyproject), "source": source_dirs(root), "tests": test_dirs(root)}))


main()
