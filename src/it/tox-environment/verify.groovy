evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "toxenv")
check(batchDecisions(s) == ["src/toxenv/core.py=accept", "src/toxenv/less.py=rollback", "src/toxenv/more.py=rollback",
    "src/toxenv/text.py=rollback"], "decisions: " + batchDecisions(s))
check(s.batches[2].reason.contains("reaches into pytest's own machinery"), "a test that patches pytest's reports: " + s.batches[2].reason)
check(s.batches[1].reason.contains("tasks/coverage.py (a module named coverage where the tests' Python looks first"),
    "a module that would shadow coverage on tox's PYTHONPATH: " + s.batches[1].reason)
check(git(new File(basedir, "origin.git"), ["diff", "--name-only", "main", "auto/toxenv"]).readLines() == ["tests/test_core_etask.py"],
    "only the good batch reached the origin")
check(s.batches[3].new_findings == ["fail  tests/test_text_etask.py::test_exposes_a_bug"], "the failing test named: " + s.batches[3].new_findings)
def log = new File(basedir, "build.log").text
check(log.contains("as the project's test command: installed dependency groups test (tox.toml [env_run_base])")
    && log.contains("the gates get PYTHONPATH={repo}/tasks (tox.toml [env_run_base] set_env"), "what the tox environment decided is said")
check(!log.contains("etask-it-no-such-package"), "the docs group is never installed")

// the project's own command, side by side: tox's PYTHONPATH, coverage with its plugin, pytest; mypy with the stubs
def repo = new File(basedir, "seed")
def venv = new File(basedir, "target/etask/toxenv/venv/bin")
def run = { List<String> args ->
    def out = new StringBuilder()
    def p = ([new File(venv, "python").path] + args).execute(
        ["PATH=" + System.getenv("PATH"), "HOME=" + new File(basedir, ".it-home"), "PYTHONPATH=" + new File(repo, "tasks"),
         "COVERAGE_FILE=" + new File(basedir, ".coverage-own")], repo)
    p.waitForProcessOutput(out, out)
    return out.toString()
}
def pytest = run(["-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"])
check(pytest.contains("2 passed, 1 skipped"), "the project's run: " + pytest)
def total = (run(["-m", "coverage", "report", "--precision=2"]) =~ /TOTAL\s+\d+\s+\d+\s+([\d.]+)%/)[0][1] as double
def baseline = new groovy.json.JsonSlurper().parse(new File(basedir, "target/etask/toxenv/reports/baseline.json"))
check(baseline.tests.passed == 2 && baseline.tests.skipped == 1 && baseline.tests.failed == 0, "etask's baseline: " + baseline.tests)
check(Math.abs(s.coverage_before - total) < 0.1, "coverage as the project's own report: " + s.coverage_before + " vs " + total)
check(baseline.types != null && baseline.types.isEmpty(), "mypy with the hook's stubs: no error: " + baseline.types)
def mypy = run(["-m", "mypy", "src"])
check(mypy.contains("Success"), "the project's mypy agrees: " + mypy)
return true
