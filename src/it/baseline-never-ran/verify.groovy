evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "baseline-never-ran")
check(s.exit_code == 1 && s.failure.code == "BASELINE_FAILED" && s.failure.phase == "PREPARE", "failure: " + s.failure)
check(s.failure.message.contains("interrupted") && s.failure.message.contains("yaml_that_is_not_declared_anywhere"),
    "the tool's own error lines: " + s.failure.message)
check(s.failure.next_step.contains("declare 'yaml_that_is_not_declared_anywhere'")
    && s.failure.next_step.contains("tests/requirements.txt"), "where to declare it: " + s.failure.next_step)
check(s.phases_ms.prepare > 0, "timings kept on a fatal failure: " + s.phases_ms)
check(s.batches == [], "no batch ran")
def failure = new File(basedir, "target/etask/artifacts/baseline-never-ran/FAILURE.md").text
check(failure.contains("BASELINE_FAILED"), "FAILURE.md")
return true
