"""Prints, as JSON, what etask needs to know about a Python repository to run its gates the way the
project itself does:

  install      pip arguments for the project and its test dependencies: requirements files (at the
               root, in requirements/ and in the test folders), pyproject extras and dependency groups
               for tests, Poetry's dev dependencies and groups, tox's deps
  source       the package folders (src/, or top-level packages and modules)
  tests        the test folders
  has_tests    whether any test file exists at all
  runner       "pytest" or "unittest", and runner_reason: how the project runs its tests
  pytest_config  the root file pytest reads its configuration from, or null
  tools        for pytest, coverage, ruff and mypy: the version or range the project asks for
               (pre-commit rev, lock files, requirement pins and ranges) and where that was found
  lock_file, locked  the lock file (uv.lock, poetry.lock, pdm.lock) and the versions it pins for
               the project's dependencies: installed as constraints, as the project's CI would
  mypy_files   the files mypy checks by the project's configuration ([tool.mypy] files), or null
  ruff_configured  whether the project configures ruff (else etask only gates on what is an error
               for every project)
  dependency_files  the files that declare test dependencies (for hints)
  install_inputs  a digest of what the install reads: the install arguments, the requirement and
               constraint files they name (and those name), pyproject.toml but the tables of tools
               that never install anything, setup.py, setup.cfg but such tools' sections. The
               environment is built again when it changes; a batch that changes it changes the
               dependencies. Usage: detect_project.py ROOT [INSTALL_JSON] (the spec's python.install)

Runs anywhere Python 3.9+ runs; tomllib (3.11+) or tomli, when present, reads TOML files."""
import configparser
import hashlib
import json
import os
import re
import sys

TEST_GROUPS = ("test", "tests", "testing", "dev")
TEST_NAMED = ("test", "tests", "testing")
NOT_SOURCE = {"tests", "test", "testing", "docs", "doc", "examples", "example", "scripts", "build", "dist",
              "venv", ".venv", "env", "site-packages", "node_modules", "benchmarks", "bench", "tools", "fuzzer"}
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def load_toml(path):
    try:
        import tomllib as toml
    except ImportError:
        try:
            import tomli as toml
        except ImportError:
            return None
    try:
        with open(path, "rb") as f:
            return toml.load(f)
    except Exception:
        return None


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def ini(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None
    return parser


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


def poetry_constraint(spec):
    """Poetry's version constraints as pip's: ^1.2 -> >=1.2,<2.0; ~1.2 -> >=1.2,<1.3; 1.2.3 -> ==1.2.3."""
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    out = []
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"([\^~])\s*(\d+(?:\.\d+)*)", part)
        if m:
            nums = [int(x) for x in m.group(2).split(".")]
            if m.group(1) == "^":
                first = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
                upper = nums[:first + 1]
            else:
                upper = nums[:2] if len(nums) > 1 else nums[:1]
            upper[-1] += 1
            out.append(">=" + m.group(2) + ",<" + ".".join(str(n) for n in upper))
        elif re.fullmatch(r"\d+(?:\.\d+)*(?:\.\*)?", part):
            out.append("==" + part)
        else:
            out.append(part.replace(" ", ""))
    return ",".join(out)


def poetry_requirements(pyproject):
    poetry = (pyproject.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dev-dependencies") or {}]
    groups = poetry.get("group") or {}
    for name in TEST_GROUPS:
        tables.append((groups.get(name) or {}).get("dependencies") or {})
    out = []
    for table in tables:
        for name, spec in table.items():
            if name == "python":
                continue
            if isinstance(spec, str):
                out.append(name + poetry_constraint(spec))
            elif isinstance(spec, dict) and not any(k in spec for k in ("path", "git", "url", "file")):
                extras = spec.get("extras")
                out.append(name + ("[" + ",".join(extras) + "]" if extras else "")
                           + poetry_constraint(str(spec.get("version", ""))))
    return out


INSTALLERS = {"poetry", "tox", "pdm", "hatch", "uv", "pip", "setuptools", "wheel", "pre-commit", "nox"}


def ini_list(text, commas=True):
    """A tox.ini list (one per line, or comma-separated where {commas}), without comments and
    factor-conditional lines."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or re.match(r"^[\w,!-]+:\s", line):  # "py38: pytest<8" applies to one factor
            continue
        out += [x.strip() for x in line.split(",") if x.strip()] if commas else [line]
    return out


def tox_config(root, pyproject):
    """What tox's base test environment installs and sets, and where that is said: {deps, extras,
    dependency_groups, set_env}, from the first of tox's own configuration files: tox.ini
    [testenv], setup.cfg [testenv] (with a [tox:tox] section), pyproject.toml [tool.tox]
    (legacy_tox_ini, then env_run_base), tox.toml [env_run_base]."""
    parser, where, tox = None, None, None
    cfg = ini(os.path.join(root, "setup.cfg")) if os.path.isfile(os.path.join(root, "setup.cfg")) else None
    table = ((pyproject or {}).get("tool") or {}).get("tox") or {}
    if os.path.exists(os.path.join(root, "tox.ini")):
        parser, where = ini(os.path.join(root, "tox.ini")), "tox.ini [testenv]"
    elif cfg is not None and cfg.has_section("tox:tox"):
        parser, where = cfg, "setup.cfg [testenv]"
    elif isinstance(table.get("legacy_tox_ini"), str):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(table["legacy_tox_ini"])
        except configparser.Error:
            parser = None
        where = "pyproject.toml [tool.tox] legacy_tox_ini [testenv]"
    elif table:
        tox, where = table, "pyproject.toml [tool.tox.env_run_base]"
    elif os.path.isfile(os.path.join(root, "tox.toml")):
        tox, where = load_toml(os.path.join(root, "tox.toml")) or {}, "tox.toml [env_run_base]"
    env = {"deps": [], "extras": [], "dependency_groups": [], "set_env": {}}
    if parser is not None and parser.has_section("testenv"):
        get = lambda k: parser.get("testenv", k) if parser.has_option("testenv", k) else ""
        env["deps"] = ini_list(get("deps"), commas=False)
        env["extras"] = ini_list(get("extras"))
        env["dependency_groups"] = ini_list(get("dependency_groups"))
        for line in (get("set_env") or get("setenv")).splitlines():
            line = line.strip()  # a value may hold a # (COLOR = #fff): only whole-line comments
            if "=" in line and not line.startswith("#") and not re.match(r"^[\w,!-]+:\s", line):
                k, v = line.split("=", 1)
                env["set_env"][k.strip()] = v.strip()
    elif isinstance(tox, dict):
        base = tox.get("env_run_base") or {}
        for k in ("deps", "extras", "dependency_groups"):
            env[k] = [d for d in (base.get(k) or []) if isinstance(d, str)]
        set_env = base.get("set_env") or {}
        if isinstance(set_env, dict):
            env["set_env"] = {k: v for k, v in set_env.items() if isinstance(v, str)}
    else:
        return env, None
    # a dep of the project itself with extras (".[test]") is how some tox files ask for extras
    for d in list(env["deps"]):
        m = re.fullmatch(r"(?:-e\s*)?\.\[([\w,\s-]+)\]", d.replace("{toxinidir}/", "").replace("{tox_root}/", "").strip())
        if m:
            env["extras"] += [e.strip() for e in m.group(1).split(",") if e.strip()]
            env["deps"].remove(d)
    return env, where


# what the project's tests may set for themselves; never what changes how a gate measures or runs
GATE_VARIABLES = re.compile(r"^(PYTEST_.*|COVERAGE_.*|PYTHONHOME|PYTHONSTARTUP|PYTHONINSPECT|PYTHONPYCACHEPREFIX|"
                            r"PYTHONDONTWRITEBYTECODE|PYTHONNOUSERSITE|PYTHONSAFEPATH|PYTHONEXECUTABLE|"
                            r"PYTHONOPTIMIZE|PYTHONBREAKPOINT|PYTHONPLATLIBDIR|PYTHONUSERBASE|"
                            r"PATH|HOME|TMPDIR|VIRTUAL_ENV|LD_.*|DYLD_.*|MYPY.*|RUFF_.*|PIP_.*|UV_.*|XDG_.*)$")


def test_environment(set_env):
    """tox's set_env as the gates' variables: {toxinidir} and {tox_root} as "{repo}" (the clone),
    values with other substitutions and variables that change how a gate runs left out."""
    out = {}
    for k, v in set_env.items():
        v = v.replace("{toxinidir}", "{repo}").replace("{tox_root}", "{repo}").replace("{/}", "/")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) or GATE_VARIABLES.match(k):
            continue
        if re.search(r"\{(?!repo\})[^}]*\}", v):
            continue
        out[k] = v
    return out


def tox_requirements(root, tox_env, where):
    """deps of tox's base test environment, as pip arguments."""
    out = []
    for line in tox_env["deps"]:
        line = line.split("#", 1)[0].strip().replace("{toxinidir}/", "").replace("{tox_root}/", "")
        if not line or "{" in line:
            continue
        if line.startswith("-r") or line.startswith("-c"):
            flag, rest = line[:2], line[2:].strip()
            if rest and os.path.exists(os.path.join(root, rest)):
                out += [flag, rest]
            continue
        name = REQUIREMENT_NAME.match(line)
        if line.startswith("-e") or line == "." or (name and name.group(1).lower() in INSTALLERS):
            continue
        out.append(line)
    return out


def nox_choice(root):
    """The extras and dependency groups noxfile.py installs ('.[test]', '--group test'), or None."""
    text = read(os.path.join(root, "noxfile.py"))
    if not text:
        return None
    extras = []
    for m in re.finditer(r"""["']\.\[([\w,\s-]+)\]["']""", text):
        extras += [e.strip() for e in m.group(1).split(",") if e.strip()]
    groups = re.findall(r"""--group["'=,\s]+["']?([\w-]+)""", text)
    return (extras, groups) if extras or groups else None


def chosen(available, asked, where):
    """Of the names {available} (extras or groups): the ones the project's test command installs
    ({asked}, from {where}: then only those, none when it names none), else the ones named for
    tests, else dev; and why."""
    if where is not None:
        names = [a for a in dict.fromkeys(asked) if a in available]
        return names, (where if names else None)
    names = [n for n in TEST_NAMED if n in available]
    if names:
        return names, "named for tests"
    return (["dev"], "dev") if "dev" in available else ([], None)


PYTHON_SPECIFIC = re.compile(r"(?:py)?3[._-]?(\d{1,2})$")


def for_this_python(names):
    """Requirement files pinned for one Python version (tests37.txt, dev-py3.8.txt) are left out
    when a file for every version is there, else only the one for this Python is kept."""
    def version(name):
        m = PYTHON_SPECIFIC.search(os.path.splitext(name)[0])
        return int(m.group(1)) if m else None
    generic = [n for n in names if version(n) is None]
    if generic:
        return generic
    return [n for n in names if version(n) == sys.version_info[1]]


def requirement_files(root, test_dirs):
    """requirements*.txt at the root (docs left out); in requirements/ the test files (else the dev
    ones); in the test folders their own requirements*.txt; files pinned for another Python
    version are left out."""
    def txt(name):
        return name.endswith(".txt") and "doc" not in name.lower()
    files = for_this_python(sorted(
        f for f in os.listdir(root) if re.fullmatch(r"(.*[-_])?requirements([-_.].*)?\.txt", f) and txt(f)))
    files.sort(key=lambda f: (f != "requirements.txt", f))
    folder = os.path.join(root, "requirements")
    if os.path.isdir(folder):
        names = sorted(f for f in os.listdir(folder) if txt(f))
        chosen = for_this_python([f for f in names if "test" in f]) or for_this_python(
            [f for f in names if "dev" in f])
        files += ["requirements/" + f for f in chosen]
    for d in test_dirs:
        full = os.path.join(root, d)
        files += sorted(d + "/" + f for f in os.listdir(full) if txt(f) and "requirements" in f)
    return files


def install_args(root, pyproject, test_dirs, tox_env, tox_where):
    """pip arguments, the files that declare test dependencies, and notes on the choice of extras and
    groups: the ones the project's own test command (tox, else nox) installs, else the ones named
    for tests, else dev."""
    args = []
    dependency_files = []
    notes = []
    for f in requirement_files(root, test_dirs):
        args += ["-r", f]
        dependency_files.append(f)
    nox = None if tox_where else nox_choice(root)
    asked_extras = tox_env["extras"] if tox_where else (nox[0] if nox else [])
    asked_groups = tox_env["dependency_groups"] if tox_where else (nox[1] if nox else [])
    command = tox_where or ("noxfile.py" if nox else None)
    installable = False
    extras = []
    if pyproject is not None and isinstance(pyproject.get("project"), dict):
        installable = True
        optional = pyproject["project"].get("optional-dependencies") or {}
        extras, why = chosen(optional, asked_extras, command)
        if extras:
            notes.append("extras " + ", ".join(extras) + " (" + why + ")")
        if optional:
            dependency_files.append("pyproject.toml [project.optional-dependencies]")
    elif pyproject is not None and isinstance(pyproject.get("build-system"), dict):
        installable = True  # e.g. poetry-core or flit with their own metadata tables
    elif os.path.exists(os.path.join(root, "setup.py")):
        installable = True  # setup.cfg alone is not installable: pip needs setup.py or pyproject.toml
    if installable:
        args += ["-e", "." + ("[" + ",".join(extras) + "]" if extras else "")]
    if pyproject is not None:
        groups = pyproject.get("dependency-groups") or {}
        names, why = chosen(groups, asked_groups, command)
        for g in names:
            args += group_requirements(groups, g, set())
        if names:
            notes.append("dependency groups " + ", ".join(names) + " (" + why + ")")
        if groups:
            dependency_files.append("pyproject.toml [dependency-groups]")
        poetry = poetry_requirements(pyproject)
        args += poetry
        if ((pyproject.get("tool") or {}).get("poetry") or {}):
            dependency_files.append("pyproject.toml [tool.poetry.group.dev.dependencies]")
    if tox_where and tox_env["deps"]:
        dependency_files.append(tox_where + " deps")
    args += tox_requirements(root, tox_env, tox_where)
    out = []
    seen = set()
    i = 0
    while i < len(args):  # drop repeats: a requirement, or a flag with its value ("-r x.txt")
        item = tuple(args[i:i + 2]) if args[i] in ("-r", "-c", "-e") else (args[i],)
        if item not in seen:
            seen.add(item)
            out += list(item)
        i += len(item)
    return out, dependency_files, notes


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


def test_files(root, tests):
    out = []
    for d in tests:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, d)):
            dirnames[:] = [n for n in dirnames if not n.startswith(".") and n != "__pycache__"]
            out += [os.path.join(dirpath, f) for f in filenames
                    if f.endswith(".py") and (f.startswith("test") or f.endswith("_test.py"))]
    out += [os.path.join(root, f) for f in os.listdir(root) if re.fullmatch(r"test_.*\.py|.*_test\.py", f)]
    return out


def pytest_config(root, pyproject):
    """The file pytest reads at the root, in pytest's own order of precedence."""
    for name in ("pytest.ini", ".pytest.ini"):
        if os.path.isfile(os.path.join(root, name)):
            return name
    if ((pyproject or {}).get("tool") or {}).get("pytest"):  # [tool.pytest.ini_options], or pytest 9's [tool.pytest]
        return "pyproject.toml"
    for name, section in (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = os.path.join(root, name)
        if os.path.isfile(path):
            parser = ini(path)
            if parser is not None and parser.has_section(section):
                return name
    return None


def runner(root, pyproject, config, tests, files, install):
    if config:
        return "pytest", "pytest is configured in " + config
    for d in [""] + tests:
        if os.path.isfile(os.path.join(root, d, "conftest.py")):
            return "pytest", "the repository has " + os.path.join(d, "conftest.py")
    for f in files:
        if re.search(r"^def load_tests\(", read(f), re.M):
            return "unittest", os.path.relpath(f, root) + " loads tests with load_tests(), which only unittest runs"
    commands = [read(os.path.join(root, n)) for n in ("tox.ini", "Makefile", "noxfile.py", "setup.cfg")]
    workflows = os.path.join(root, ".github", "workflows")
    if os.path.isdir(workflows):
        commands += [read(os.path.join(workflows, n)) for n in sorted(os.listdir(workflows))]
    text = "\n".join(commands)
    if re.search(r"-m\s+unittest|unittest\s+discover", text) and not re.search(r"\bpytest\b", text):
        return "unittest", "the project runs its tests with python -m unittest"
    return "pytest", "pytest runs unittest and pytest tests alike"


def pre_commit_pin(root, repo_pattern):
    text = read(os.path.join(root, ".pre-commit-config.yaml"))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(r"repo:\s*\S*" + repo_pattern, line):
            for follow in lines[i + 1:i + 6]:
                m = re.match(r"\s*rev:\s*['\"]?([^'\"\s#]+)['\"]?\s*(?:#\s*frozen:\s*(\S+))?", follow)
                if m:
                    rev = m.group(2) or m.group(1)
                    version = rev.lstrip("v")
                    if re.fullmatch(r"\d+(\.\d+)+", version):
                        return version
                    return None
    return None


def locked_version(root, package):
    for lock in ("uv.lock", "poetry.lock", "pdm.lock"):
        text = read(os.path.join(root, lock))
        m = re.search(r'\[\[package\]\]\s*\nname\s*=\s*"' + re.escape(package) + r'"\s*\nversion\s*=\s*"([^"]+)"', text)
        if m:
            return m.group(1), lock
    return None, None


GATE_TOOLS = {"pytest", "coverage", "ruff", "mypy", "pytest-cov"}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_pins(root, pyproject):
    """(lock file, {name: version}) for the project's dependencies as its lock file pins them:
    packages from a package index with one version (a lock that forks by platform or Python
    version leaves those packages to the resolver); never the gate tools, which have their own
    versions, nor the project itself."""
    own = normalise(((pyproject or {}).get("project") or {}).get("name")
                    or ((((pyproject or {}).get("tool") or {}).get("poetry") or {}).get("name")) or "")
    for lock in ("uv.lock", "poetry.lock", "pdm.lock"):
        path = os.path.join(root, lock)
        if not os.path.isfile(path):
            continue
        data = load_toml(path)
        if not data:
            return None, {}
        versions = {}
        for package in data.get("package") or []:
            name, version = package.get("name"), package.get("version")
            if not isinstance(name, str) or not isinstance(version, str):
                continue
            source = package.get("source")
            if isinstance(source, dict):
                kind = source.get("type")  # poetry: git, directory, file, url, legacy
                if (kind is not None and kind != "legacy") or (
                        lock == "uv.lock" and "registry" not in source):
                    continue
            versions.setdefault(normalise(name), set()).add(version)
        pins = {n: next(iter(v)) for n, v in sorted(versions.items())
                if len(v) == 1 and n not in GATE_TOOLS and n != own}
        return lock, pins
    return None, {}


def pinned(root, pyproject, install, package):
    """(constraint, where) for a tool the project asks for: pre-commit rev, lock files, requirements."""
    repo = {"ruff": r"ruff-pre-commit", "mypy": r"mirrors-mypy"}.get(package)
    version = pre_commit_pin(root, repo) if repo else None
    if version:
        return "==" + version, ".pre-commit-config.yaml"
    version, lock = locked_version(root, package)
    if version:
        return "==" + version, lock
    candidates = []
    for i, a in enumerate(install):
        if i > 0 and install[i - 1] == "-r":
            for line in read(os.path.join(root, a)).splitlines():
                candidates.append((line.split("#", 1)[0].strip(), a))
        elif not a.startswith("-"):
            candidates.append((a, "pyproject.toml"))
    for req, where in candidates:
        m = re.fullmatch(re.escape(package) + r"\s*((?:[=<>!~]=?|===)\s*[\w.*]+(?:\s*,\s*[=<>!~]=?\s*[\w.*]+)*)", req)
        if m:
            return m.group(1).replace(" ", ""), where
    return None, None


def ruff_configured(root, pyproject):
    if any(os.path.isfile(os.path.join(root, f)) for f in ("ruff.toml", ".ruff.toml")):
        return True
    if "ruff" in ((pyproject or {}).get("tool") or {}):
        return True
    return bool(re.search(r"repo:\s*\S*ruff", read(os.path.join(root, ".pre-commit-config.yaml"))))


def mypy_files(root, pyproject):
    """The files mypy checks by the project's own configuration ([tool.mypy] / [mypy] files), as
    far as they exist; None when the configuration does not say."""
    files = (((pyproject or {}).get("tool") or {}).get("mypy") or {}).get("files")
    if files is None:
        for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
            parser = ini(os.path.join(root, name))
            if parser is not None and parser.has_option("mypy", "files"):
                files = parser.get("mypy", "files")
                break
    if isinstance(files, str):
        files = [f.strip() for f in files.replace("\n", ",").split(",")]
    if not isinstance(files, list):
        return None
    found = [f.rstrip("/") for f in files if isinstance(f, str) and f.strip()
             and (any(c in f for c in "*?[") or os.path.exists(os.path.join(root, f)))]
    return found or None


def yaml_scalar(text):
    """A plain or quoted YAML scalar, its comment left out."""
    text = text.strip()
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        return text[1:end] if end > 0 else text[1:]
    return re.split(r"\s+#", text, 1)[0].strip()


def yaml_flow_list(text):
    """The items of a YAML flow list ([a, "b>=1,<2"]), commas inside quotes kept."""
    items, current, quote = [], "", None
    for ch in text.strip()[1:]:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            current += ch
        elif ch in ",]":
            if current.strip():
                items.append(yaml_scalar(current))
            current = ""
            if ch == "]":
                break
        else:
            current += ch
    return items


def pre_commit_hook_dependencies(root, repo_pattern):
    """additional_dependencies of the first hook of the pre-commit repository matching
    {repo_pattern}: what the project's own run of that hook has installed beside it."""
    lines = read(os.path.join(root, ".pre-commit-config.yaml")).splitlines()
    for i, line in enumerate(lines):
        if not re.search(r"repo:\s*\S*" + repo_pattern, line):
            continue
        for j in range(i + 1, len(lines)):
            if re.search(r"^\s*-?\s*repo:\s*\S", lines[j]):
                return []
            m = re.match(r"(\s*)additional_dependencies:\s*(.*)$", lines[j])
            if not m:
                continue
            rest = m.group(2).strip()
            if rest.startswith("["):
                out = yaml_flow_list(rest)
            else:
                out = []
                key_indent = len(m.group(1))
                for follow in lines[j + 1:]:
                    if not follow.strip() or follow.strip().startswith("#"):
                        continue
                    indent = len(follow) - len(follow.lstrip())
                    item = re.match(r"\s*-\s+(.*)$", follow)
                    if item is None or indent < key_indent:
                        break
                    out.append(yaml_scalar(item.group(1)))
            return [d for d in out if d and REQUIREMENT_NAME.match(d)]
        return []
    return []


def mypy_configured(root, pyproject):
    if "mypy" in ((pyproject or {}).get("tool") or {}):
        return True
    if any(os.path.isfile(os.path.join(root, f)) for f in ("mypy.ini", ".mypy.ini")):
        return True
    cfg = ini(os.path.join(root, "setup.cfg"))
    if cfg is not None and any(s == "mypy" or s.startswith("mypy-") for s in cfg.sections()):
        return True
    return bool(re.search(r"repo:\s*\S*mirrors-mypy|id:\s*mypy\b", read(os.path.join(root, ".pre-commit-config.yaml"))))


def other_type_checker(root, pyproject):
    """The type checker the project configures instead of mypy (ty, pyright, basedpyright, pyrefly)
    and where, when it configures no mypy at all; else None."""
    if mypy_configured(root, pyproject):
        return None
    tool = (pyproject or {}).get("tool") or {}
    for name in ("ty", "pyright", "basedpyright", "pyrefly"):
        if name in tool:
            return name + " (pyproject.toml [tool." + name + "])"
    for name, f in (("ty", "ty.toml"), ("pyright", "pyrightconfig.json"), ("pyrefly", "pyrefly.toml")):
        if os.path.isfile(os.path.join(root, f)):
            return name + " (" + f + ")"
    return None


def coverage_plugins(root, pyproject):
    """The plugins coverage's configuration loads, each with the repository's own module file for
    it ('' when it is not one)."""
    names = (((pyproject or {}).get("tool") or {}).get("coverage") or {}).get("run", {}).get("plugins") or []
    for f, section in ((".coveragerc", "run"), ("setup.cfg", "coverage:run"), ("tox.ini", "coverage:run")):
        parser = ini(os.path.join(root, f)) if os.path.isfile(os.path.join(root, f)) else None
        if parser is not None and parser.has_option(section, "plugins"):
            names = names or [n.strip() for n in re.split(r"[,\s]+", parser.get(section, "plugins")) if n.strip()]
    out = {}
    for name in names if isinstance(names, list) else []:
        if not isinstance(name, str):
            continue
        rel = name.replace(".", "/")
        local = ""
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ("venv", "node_modules")]
            if os.path.relpath(dirpath, root).count(os.sep) > 3:
                dirnames[:] = []
            for candidate in (rel + ".py", os.path.join(rel, "__init__.py")):
                if os.path.isfile(os.path.join(dirpath, candidate)):
                    local = os.path.relpath(os.path.join(dirpath, candidate), root)
                    break
            if local:
                break
        out[name] = local
    return out


def uses_xdist(root, pyproject, config, install):
    """Whether the project runs its suite in pytest-xdist workers: -n / --numprocesses in its pytest
    options (addopts), or pytest-xdist among its test dependencies."""
    addopts = ""
    if config == "pyproject.toml":
        table = ((pyproject or {}).get("tool") or {}).get("pytest") or {}
        options = table.get("ini_options", table)
        value = options.get("addopts", "") if isinstance(options, dict) else ""
        addopts = " ".join(value) if isinstance(value, list) else str(value)
    elif config:
        parser = ini(os.path.join(root, config))
        section = "tool:pytest" if config == "setup.cfg" else "pytest"
        if parser is not None and parser.has_option(section, "addopts"):
            addopts = parser.get(section, "addopts")
    if re.search(r"(^|\s)(-n\s*\S|--numprocesses|--dist[\s=])", addopts):
        return True
    names = []
    for i, a in enumerate(install):
        if i > 0 and install[i - 1] == "-r":
            names += [line.split("#", 1)[0].strip() for line in read(os.path.join(root, a)).splitlines()]
        elif not a.startswith("-"):
            names.append(a)
    return any(REQUIREMENT_NAME.match(n) and normalise(REQUIREMENT_NAME.match(n).group(1)) == "pytest-xdist"
               for n in names if n)


# tools whose configuration never changes what an install does
CHECK_ONLY = {"ruff", "mypy", "pytest", "coverage", "black", "isort", "pylint", "pyright", "codespell",
              "bandit", "flake8", "pydocstyle", "pycodestyle", "towncrier", "commitizen", "bumpversion",
              "docformatter", "interrogate", "autopep8", "yapf", "typos", "pyupgrade", "tox",
              "cibuildwheel", "pyrefly", "basedpyright", "sqlfluff", "mdformat", "vulture", "refurb"}
CHECK_ONLY_SECTIONS = re.compile(r"^(flake8|pycodestyle|pydocstyle|isort|tool:isort|tool:pytest|pytest|"
                                 r"coverage:.*|mypy(-.*)?|pylint.*|codespell|bandit|yapf|tox:.*)$")
# what [project] says that changes no install
DESCRIPTIVE = {"description", "readme", "authors", "maintainers", "keywords", "classifiers", "urls",
               "license", "license-files"}
NAMED_FILE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)")


def install_inputs(root, pyproject, install):
    h = hashlib.sha256()

    def add(name, data):
        h.update(("\0" + name + "\0").encode())
        h.update(data if isinstance(data, bytes) else data.encode())

    add("install", json.dumps(install))
    pp = os.path.join(root, "pyproject.toml")
    if pyproject is not None:
        kept = {k: v for k, v in pyproject.items() if k != "tool"}
        if isinstance(kept.get("project"), dict):
            kept["project"] = {k: v for k, v in kept["project"].items() if k not in DESCRIPTIVE}
        kept["tool"] = {k: v for k, v in (pyproject.get("tool") or {}).items() if k not in CHECK_ONLY}
        add("pyproject.toml", json.dumps(kept, sort_keys=True, default=str))
    elif os.path.isfile(pp):
        add("pyproject.toml", read(pp))  # not readable as TOML here: all of it
    add("setup.py", read(os.path.join(root, "setup.py")))
    cfg = ini(os.path.join(root, "setup.cfg"))
    if cfg is None:
        add("setup.cfg", read(os.path.join(root, "setup.cfg")))
    else:
        for section in cfg.sections():
            if not CHECK_ONLY_SECTIONS.match(section):
                add("setup.cfg:" + section, json.dumps(sorted(cfg.items(section, raw=True))))
    # the requirement and constraint files, and the ones they name
    todo = [os.path.join(root, install[i + 1]) for i in range(len(install) - 1) if install[i] in ("-r", "-c")]
    seen = set()
    while todo:
        path = os.path.normpath(todo.pop(0))
        if path in seen or not os.path.isfile(path):
            continue
        seen.add(path)
        text = read(path)
        add(os.path.relpath(path, root), text)
        for line in text.splitlines():
            m = NAMED_FILE.match(line)
            if m:
                todo.append(os.path.join(os.path.dirname(path), m.group(1)))
    return h.hexdigest()


def main():
    root = sys.argv[1]
    pyproject = None
    pp = os.path.join(root, "pyproject.toml")
    if os.path.exists(pp):
        pyproject = load_toml(pp)
    tests = test_dirs(root)
    tox_env, tox_where = tox_config(root, pyproject)
    install, dependency_files, install_notes = install_args(root, pyproject, tests, tox_env, tox_where)
    asked = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
    if asked is None:
        asked = install
    files = test_files(root, tests)
    config = pytest_config(root, pyproject)
    kind, reason = runner(root, pyproject, config, tests, files, install)
    lock, pins = locked_pins(root, pyproject)
    tools = {}
    for tool in ("pytest", "coverage", "ruff", "mypy"):
        constraint, where = pinned(root, pyproject, install, tool)
        if constraint:
            tools[tool] = {"constraint": constraint, "source": where}
    print(json.dumps({
        "install": install,
        "source": source_dirs(root),
        "tests": tests,
        "has_tests": bool(files),
        "runner": kind,
        "runner_reason": reason,
        "pytest_config": config,
        "tools": tools,
        "ruff_configured": ruff_configured(root, pyproject),
        "mypy_files": mypy_files(root, pyproject),
        "lock_file": lock,
        "locked": pins,
        "dependency_files": dependency_files,
        "install_inputs": install_inputs(root, pyproject, asked),
        "install_notes": install_notes,
        "test_env": test_environment(tox_env["set_env"]),
        "test_env_source": tox_where,
        "type_dependencies": pre_commit_hook_dependencies(root, r"mirrors-mypy"),
        "type_checker": other_type_checker(root, pyproject),
        "coverage_plugins": coverage_plugins(root, pyproject),
        "uses_xdist": uses_xdist(root, pyproject, config, install),
    }))


if __name__ == "__main__":
    main()
