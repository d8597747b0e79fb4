def log = new File(basedir, "build.log").text
assert log.contains("etask:pr: skipped (etask.pr.skip)") : "pr is skipped from the command line"
assert log.contains("etask:aggregate: skipped (etask.aggregate.skip)") : "aggregate is skipped from the pom"
assert log.contains("No task spec given") : "a goal whose flag is not set still runs (and asks for its spec)"
return true
