"""Runs tests exactly as `python -m unittest ARGS` would (discovery, load_tests, doctests) and writes
a JUnit XML report that etask reads like pytest's.

Usage: python unittest_junit.py [--timeout=SECONDS] REPORT.xml [unittest arguments...]
       python unittest_junit.py REPORT.xml --named TOP FILE...
           only the tests of the files, found as discovery from the top-level folder TOP finds them
           (the same module names, packages and load_tests as the project's own discovery)
Exit status, as pytest's: 0 all passed, 1 some failed, 2 a test module could not be imported
(collection error), 5 no test ran. With --timeout, a test that runs longer is stopped by an alarm
and reported as an error (the run goes on)."""
import os
import signal
import sys
import threading
import time
import traceback
import unittest
from xml.sax.saxutils import escape, quoteattr


TIMEOUT = 0


class TestTimeout(Exception):
    """A test ran longer than quality_gates.test_timeout."""


def _alarm(signum, frame):
    raise TestTimeout("the test ran longer than %ds (quality_gates.test_timeout)" % TIMEOUT)


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self.collection_errors = 0
        self._start = 0.0

    def startTest(self, test):
        self._start = time.perf_counter()
        super().startTest(test)
        if TIMEOUT and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGALRM, _alarm)
            signal.alarm(TIMEOUT)

    def stopTest(self, test):
        if TIMEOUT and threading.current_thread() is threading.main_thread():
            signal.alarm(0)
        super().stopTest(test)

    def _record(self, test, outcome, detail=""):
        test_id = test.id()
        if test_id.startswith("unittest.loader._FailedTest") or test_id.startswith("unittest.loader.ModuleImportFailure"):
            self.collection_errors += 1
        cls, _, name = test_id.rpartition(".")
        self.cases.append((cls, name, outcome, detail, time.perf_counter() - self._start))

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test, "passed")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failure", "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failure" if issubclass(err[0], test.failureException) else "error"
            self._record(subtest, kind, self._exc_info_to_string(err, test))


def write_report(path, result):
    failures = sum(1 for c in result.cases if c[2] == "failure")
    errors = sum(1 for c in result.cases if c[2] == "error")
    skipped = sum(1 for c in result.cases if c[2] == "skipped")
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<testsuites><testsuite name="unittest" tests="%d" failures="%d" errors="%d" skipped="%d">'
           % (len(result.cases), failures, errors, skipped)]
    for cls, name, outcome, detail, seconds in result.cases:
        out.append('<testcase classname=%s name=%s time="%.3f">' % (quoteattr(cls), quoteattr(name), seconds))
        if outcome in ("failure", "error"):
            first = detail.strip().splitlines()[-1] if detail.strip() else outcome
            out.append('<%s message=%s>%s</%s>' % (outcome, quoteattr(first[:500]), escape(detail), outcome))
        elif outcome == "skipped":
            out.append('<skipped message=%s/>' % quoteattr(detail[:500]))
        out.append('</testcase>')
    out.append('</testsuite></testsuites>')
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def main():
    global TIMEOUT
    if sys.argv[1:2] and sys.argv[1].startswith("--timeout="):
        TIMEOUT = int(sys.argv.pop(1).split("=", 1)[1])
    report = sys.argv[1]
    recorder = []
    unreachable = []
    # as `python -m unittest` has it: the current folder first on the path, not this script's, so
    # test files given by path import as the modules the project's own run imports (tests.test_x,
    # with `from . import helpers` working in a tests package)
    sys.path[0] = os.getcwd()

    class Runner(unittest.TextTestRunner):
        resultclass = Recorder

        def run(self, test):
            result = super().run(test)
            recorder.append(result)
            return result

    try:
        if sys.argv[2:3] == ["--named"]:
            top = os.path.abspath(sys.argv[3])
            loader = unittest.TestLoader()
            suite = unittest.TestSuite()
            for name in sys.argv[4:]:
                path = os.path.abspath(name)
                try:
                    suite.addTests(loader.discover(os.path.dirname(path), pattern=os.path.basename(path),
                                                   top_level_dir=top))
                except ImportError as e:  # its folder is no package the top-level discovery enters
                    sys.stderr.write("%s: %s\n" % (name, e))
                    unreachable.append(name)
            for error in loader.errors:
                sys.stderr.write(error + "\n")
            Runner(verbosity=1).run(suite)
        else:
            unittest.main(module=None, argv=["python -m unittest"] + sys.argv[2:], testRunner=Runner(verbosity=1),
                          exit=False)
    except SystemExit as e:  # bad arguments
        return e.code if isinstance(e.code, int) else 4
    except Exception:
        traceback.print_exc()
        return 3
    if not recorder:
        return 4
    result = recorder[0]
    write_report(report, result)
    if result.collection_errors or unreachable:
        return 2
    if not result.cases:
        return 5
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
