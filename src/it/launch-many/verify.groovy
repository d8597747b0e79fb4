evaluate(new File(itSources, "common.groovy"))
verifyScenarioA(basedir)
def log = new File(basedir, "build.log").text
check(log.contains("── LAUNCH ── 2 task(s) from tasks, 2 at a time"), "the launch says what it runs")
check(log.contains("[payment] ── PREPARE ── add-payment-tests"), "a task's lines carry its spec's name")
check(log.contains("[broken] invalid task spec"), "the invalid spec is said with its task's name")
check(log.contains("writeable"), "the invalid spec's problem is named")
check((log =~ /add-payment-tests\s+exit 0/).find(), "the summary lists the finished task")
check((log =~ /broken\s+exit 1\s+invalid task spec/).find(), "the summary lists the invalid one")
check(log.contains("1 of 2 task(s) failed: broken"), "the build fails because of the invalid spec, after both ran")
return true
