evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "expose-bug")
check(s.batches[0].decision == "keep" && s.batches[0].labels == ["tests-failed", "potential-bug"], "kept: " + s.batches[0])
check(s.exit_code == 2 && s.commits == 1 && s.tests_failed == 1, "exit 2 with the failing test committed: " + s.summary)
check(s.batches[0].new_findings == ["fail  tests/test_order_etask.py::test_exposes_a_bug"],
    "status.json names the failing test as pytest does: " + s.batches[0].new_findings)
check(branchFiles(basedir, "auto/expose-bug").contains("tests/test_order_etask.py"), "failing test on the branch")
def body = new File(artifacts(basedir, "expose-bug"), "pr.md").text
check(body.contains("`potential-bug`") && body.contains("Failure log, batch 1") && body.contains("assert"), "excerpt in PR")
check(new File(basedir, "build.log").text.contains("Failing because of -Detask.failOnRisk"), "failOnRisk fails the build")
return true
