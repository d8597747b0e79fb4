evaluate(new File(itSources, "common.groovy"))
["unittest-package", "unittest-package-full"].each { id ->
    def s = status(basedir, id)
    def d = batchDecisions(s)
    check(d == ["src/unipkg/__init__.py=accept", "src/unipkg/fmt.py=rollback"], id + " decisions: " + d)
    check(s.gates.test_runner == "unittest", id + " runner: " + s.gates.test_runner)
    def good = s.batches[0]
    check(good.labels.isEmpty(), id + ": the relative-import test file is collected, not weak: " + good.labels + " " + good.new_findings)
    check(good.metrics.tests_passed == 5, id + ": 3 tests before, 2 new: " + good.metrics.tests_passed)
    def bad = s.batches[1]
    check(bad.reason.contains("python -m unittest") && bad.reason.contains("written for pytest")
        && bad.reason.contains("tests/test_fmt_etask.py"), id + ": the style is named: " + bad.reason)
    check(s.exit_code == 2, id + " exit 2: " + s.exit_code)
}
check(status(basedir, "unittest-package").batches[0].validation == "incremental", "the good batch was validated alone")
check(status(basedir, "unittest-package-full").batches[0].validation == "full", "and in full")
return true
