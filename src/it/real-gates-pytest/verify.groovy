import groovy.json.JsonSlurper
evaluate(new File(itSources, "common.groovy"))
def id = "real-gates-pytest"
def s = status(basedir, id)
def d = batchDecisions(s)
check(d == ["src/pycalc/ops.py=rollback", "src/pycalc/stats.py=accept"], "decisions: " + d)
check(s.batches[0].reason.contains("coverage changed by"), "the destructive batch is caught by coverage: " + s.batches[0].reason)
check(s.batches[0].reason.contains("test(s) that passed before no longer run") && s.batches[0].labels.contains("tests-removed"),
    "and by the tests that no longer run: " + s.batches[0].reason + " " + s.batches[0].labels)
check(s.batches[0].new_findings.any { it.startsWith("gone  ") && it.contains("test_ops") }, "the removed ids are listed: " + s.batches[0].new_findings)
check(s.batches[1].new_findings == [], "the new test is collected, ids agree between runs: " + s.batches[1].new_findings)
check(s.tool_versions.ruff == "0.6.9", "ruff as .pre-commit-config.yaml pins it: " + s.tool_versions)
check(s.gates.test_runner == "pytest" && s.gates.pytest_config == "pyproject.toml" && s.gates.lint_select == null,
    "gates: " + s.gates)
check(new File(basedir, "target/etask/" + id + "/logs/prepare-env.log").text.contains("tests/requirements.txt"),
    "tests/requirements.txt installed")
// the project's own command measures the same coverage as etask's baseline
def seed = new File(basedir, "seed")
venvRun(basedir, id, seed, ["-m", "coverage", "run", "-m", "pytest", "-q"])
venvRun(basedir, id, seed, ["-m", "coverage", "combine", "-q"])
venvRun(basedir, id, seed, ["-m", "coverage", "json", "-q", "-o", "own-coverage.json"])
def own = new JsonSlurper().parse(new File(seed, "own-coverage.json")).totals.percent_covered
check(Math.abs(Math.round(own * 100) / 100.0 - s.coverage_before) < 0.005, "coverage: project's own " + own
    + " vs etask's baseline " + s.coverage_before)
check(s.coverage_before > 40, "coverage measured, never 0: " + s.coverage_before)
return true
