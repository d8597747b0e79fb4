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
      no OUT.json, whatever the tests did."""
import json
import os
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
    report_json(out, out + ".json")


def report_json(data_file, out, plugins=True):
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
    files = {}
    total = None
    for reporter, analysis in get_analysis_to_report(cov, None):
        files[reporter.relative_filename()] = {
            "executed_lines": sorted(analysis.executed),
            "missing_lines": sorted(analysis.missing),
        }
        total = analysis.numbers if total is None else total + analysis.numbers
    report = {"meta": {"format": "etask"}, "files": files, "totals": {"percent_covered": total.pc_covered}}
    with open(out + ".tmp" if out != os.devnull else out, "w", encoding="utf-8") as f:
        json.dump(report, f)
    if out != os.devnull:
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
