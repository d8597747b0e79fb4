"""etask's coverage data helper, run with the task's venv Python in the clone's root (so the
repository's coverage configuration applies):

  coverage_data.py combine OUT BASE BASE_ROOT NEW...   OUT = BASE (its files recorded under
      BASE_ROOT, moved to this clone) plus the NEW data files, then OUT.json as `coverage json`
      writes it. A missing or unreadable file is an error, never an empty measurement.
  coverage_data.py run DATA SOURCE -- PYTEST_ARGS...   the whole suite, as `coverage run
      [--source=SOURCE] --data-file=DATA -m pytest PYTEST_ARGS` runs it (the repository's coverage
      settings apply: parallel data files, concurrency); exits with pytest's exit code.
  coverage_data.py report DATA OUT.json    what etask reads of `coverage json` (each file's executed and
      missing lines, the total percentage, computed as coverage's JSON report computes them),
      without the parts it does not read (regions, summaries): the cost of a report is parsing.
  coverage_data.py measure OUT BASE BASE_ROOT SOURCE -- PYTEST_ARGS...   runs pytest in this
      process under coverage (SOURCE: comma-separated, may be empty), then does what combine does
      with the data; exits with pytest's exit code. A failed combine is said on stderr and leaves
      no OUT.json, whatever the tests did.

Each report also stores, in the data file it reports on, what it found per source file (the file's
SHA-256, a digest of its measured lines or arcs, its executed and missing lines and its numbers)
under coverage's own settings. A later combine that adds new tests' data to that file reuses a
file's result when its bytes, its measured data and the settings are all the same — the analysis is
a function of exactly those — and parses only the files the new tests reached (parsing is what a
report costs). The meta.reused count in OUT.json says how many were reused."""
import hashlib
import json
import os
import sqlite3
import sys

from coverage import Coverage
from coverage.data import CoverageData


def moved(data_file, from_root, out):
    """A copy of data_file in `out` whose file names are under this clone instead of from_root."""
    here = os.getcwd()
    src = CoverageData(basename=data_file)
    src.read()
    if not src.measured_files():
        raise SystemExit("no data in %s" % data_file)
    dst = CoverageData(basename=out)
    # coverage records real paths (symbolic links resolved); the clones' roots are compared so too
    here = os.path.realpath(here)
    prefix = os.path.realpath(from_root).rstrip("/") + "/"

    def rename(name):
        return here + "/" + name[len(prefix):] if name.startswith(prefix) else name

    if src.has_arcs():
        dst.add_arcs({rename(f): src.arcs(f) for f in src.measured_files()})
    else:
        dst.add_lines({rename(f): src.lines(f) for f in src.measured_files()})
    dst.add_file_tracers({rename(f): src.file_tracer(f) for f in src.measured_files() if src.file_tracer(f)})
    dst.write()


def combine(out, base, base_root, new):
    if os.path.exists(out):
        os.remove(out)
    moved(base, base_root, out)
    combined = CoverageData(basename=out)
    combined.read()
    for n in new:
        data = CoverageData(basename=n)
        data.read()
        combined.update(data)
    combined.write()
    report_json(out, out + ".json", reuse_from=base)


KEY = "etask_report"


def stored(data_file):
    """What a report stored in data_file (see the module's words), or None."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % data_file, uri=True)
        try:
            row = db.execute("select value from meta where key = ?", (KEY,)).fetchone()
        finally:
            db.close()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return None


def store(data_file, value):
    try:
        db = sqlite3.connect(data_file)
        try:
            with db:
                db.execute("insert or replace into meta (key, value) values (?, ?)", (KEY, json.dumps(value)))
        finally:
            db.close()
    except sqlite3.Error:  # not coverage's SQLite file: the next report parses everything
        pass


def settings(cov):
    """What a file's analysis depends on besides its bytes and its data."""
    import coverage

    c = cov.config
    return [
        coverage.__version__,
        list(c.exclude_list),
        list(c.partial_list),
        list(getattr(c, "partial_always_list", [])),
        list(getattr(c, "exclude_also", [])),
        bool(cov.get_data().has_arcs()),
        c.precision,
        list(c.report_contexts or []),
        list(c.plugins or []),
    ]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def measured(data, name):
    """A digest of what data holds for the file `name` (its arcs, else its lines)."""
    got = data.arcs(name) if data.has_arcs() else data.lines(name)
    return hashlib.sha256(repr(sorted(got or [])).encode()).hexdigest()


class Reused:
    """A file's analysis as an earlier report found it: what report_json reads of an analysis."""

    def __init__(self, entry):
        from coverage.results import Numbers

        self.executed = entry["executed"]
        self.missing = entry["missing"]
        self.numbers = Numbers(**entry["numbers"])


NUMBERS = ("precision", "n_files", "n_statements", "n_excluded", "n_missing", "n_branches",
           "n_partial_branches", "n_missing_branches")


def reusing(cov, earlier):
    """cov's analysis, taking a file's result from `earlier` (stored by an earlier report) when its
    bytes, its data and the settings are the same; records every file's result. Returns the
    results recorded and a one-element list counting the reused ones."""
    from coverage.python import PythonFileReporter

    original = cov._analyze
    data = cov.get_data()
    mapper = cov._file_mapper
    fingerprint = settings(cov)
    kept = earlier["files"] if earlier and earlier.get("settings") == fingerprint else {}
    results = {}
    reused = [0]

    def analyze(morf, file_reporter=None):
        def own():  # as coverage called it (older versions pass no file reporter)
            return original(morf) if file_reporter is None else original(morf, file_reporter=file_reporter)

        fr = file_reporter if file_reporter is not None else cov._get_file_reporter(morf)
        if type(fr) is not PythonFileReporter:  # a plugin's: its result is its code's to say
            return own()
        try:
            name = fr.relative_filename()
            digest = sha256(fr.filename)
            lines = measured(data, mapper(fr.filename))
        except Exception:  # what cannot be told the same is analysed, and not recorded
            return own()
        entry = kept.get(name)
        analysis = None
        if entry and entry.get("sha256") == digest and entry.get("data") == lines:
            try:
                analysis = Reused(entry)
                reused[0] += 1
            except (KeyError, TypeError):
                analysis = None
        unchanged = analysis is not None  # nothing was read since the digest
        if analysis is None:
            analysis = own()
            try:
                unchanged = sha256(fr.filename) == digest  # the bytes analysed are those recorded
            except OSError:
                unchanged = False
        if unchanged:
            results[name] = {
                "sha256": digest,
                "data": lines,
                "executed": sorted(analysis.executed),
                "missing": sorted(analysis.missing),
                "numbers": {n: getattr(analysis.numbers, n) for n in NUMBERS},
            }
        return analysis

    cov._analyze = analyze
    return {"settings": fingerprint, "files": results}, reused


def report_json(data_file, out, plugins=True, reuse_from=None):
    cov = Coverage(data_file=data_file)
    if not plugins:  # the worker's own process loads no code of the repository's
        cov.set_option("run:plugins", [])
    cov.load()
    try:
        from coverage.report_core import get_analysis_to_report

        prepare = cov._prepare_data_for_reporting
    except (ImportError, AttributeError):  # an older coverage: its own report, all of it
        cov.json_report(outfile=out, ignore_errors=True)
        return
    cov.set_option("report:ignore_errors", True)
    prepare()
    cov.get_data().set_query_contexts(cov.config.report_contexts)  # [report] contexts, as json does
    record, reused = None, [0]
    if out != os.devnull and not cov.config.report_contexts:
        try:
            record, reused = reusing(cov, stored(reuse_from) if reuse_from else None)
        except (AttributeError, ImportError, TypeError):  # a coverage without these internals
            record = None
    files = {}
    total = None
    for reporter, analysis in get_analysis_to_report(cov, None):
        files[reporter.relative_filename()] = {
            "executed_lines": sorted(analysis.executed),
            "missing_lines": sorted(analysis.missing),
        }
        total = analysis.numbers if total is None else total + analysis.numbers
    report = {
        "meta": {"format": "etask", "reused": reused[0]},
        "files": files,
        "totals": {"percent_covered": total.pc_covered},
    }
    if out == os.devnull:
        return
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        json.dump(report, f)
    if record is not None:
        store(data_file, record)
    os.replace(out + ".tmp", out)


def pytest_under(cov, pytest_args):
    """pytest.main(pytest_args) in this process, measured by cov; the data is saved whatever the
    tests do. Returns pytest's exit code."""
    # what `python -m pytest` puts first on the path: the folder it runs in, not this script's
    sys.path[0] = os.getcwd()
    cov.start()
    try:
        import pytest

        return int(pytest.main(pytest_args))
    finally:
        cov.stop()
        cov.save()


def run(data_file, source, pytest_args):
    # as `coverage run -m pytest` has them: pytest's argv and the flag (pytest is found, not
    # imported: it is imported under coverage, as there)
    import importlib.util

    main = os.path.join(os.path.dirname(importlib.util.find_spec("pytest").origin), "__main__.py")
    sys.argv = [main] + pytest_args
    os.environ["COVERAGE_RUN"] = "true"
    cov = Coverage(data_file=data_file, source=source.split(",") if source else None)
    cov.erase()
    return pytest_under(cov, pytest_args)


def measure(out, base, base_root, source, pytest_args):
    new = out + ".new"
    for stale in (new, out, out + ".json"):
        if os.path.exists(stale):
            os.remove(stale)
    # no suffix even when the repository's configuration says parallel: one process, one file
    cov = Coverage(data_file=new, data_suffix=False, source=source.split(",") if source else None)
    code = pytest_under(cov, pytest_args)
    try:
        if not os.path.exists(new):
            raise SystemExit("the new tests recorded no data")
        combine(out, base, base_root, [new])
    except BaseException as e:  # the tests' result stands; the coverage part says it could not see
        sys.stderr.write("coverage combine failed: %s\n" % (e,))
    return code


def main():
    command = sys.argv[1]
    if command == "measure":
        out, base, base_root, source = sys.argv[2:6]
        if sys.argv[6] != "--":
            raise SystemExit("usage: measure OUT BASE BASE_ROOT SOURCE -- PYTEST_ARGS")
        sys.exit(measure(out, base, base_root, source, sys.argv[7:]))
    if command == "run":
        data_file, source = sys.argv[2:4]
        if sys.argv[4] != "--":
            raise SystemExit("usage: run DATA SOURCE -- PYTEST_ARGS")
        sys.exit(run(data_file, source, sys.argv[5:]))
    if command == "combine":
        combine(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        return
    if command == "report":
        try:
            report_json(sys.argv[2], sys.argv[3])
        except Exception as e:  # coverage's own words ("No data to report."), without a traceback
            sys.stderr.write("coverage: %s\n" % (e,))
            sys.exit(1)
        return
    raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
