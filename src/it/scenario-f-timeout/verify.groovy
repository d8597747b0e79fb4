evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "timeout")
check(s.partial == true && s.partial_ratio == 0.4 && s.exit_code == 2, "partial 40%: " + s.summary)
check(s.commits == 2 && s.limit_hit.contains("max_runtime_minutes"), "two commits, limit named: " + s.limit_hit)
check(s.batches[2].stage == "pending" && s.batches[2].attempts == 0, "the stalled batch is left pending: " + s.batches[2])
check(s.labels.contains("partial"), "label partial")
def body = new File(artifacts(basedir, "timeout"), "pr.md").text
check(body.contains("covers only 40% of the targets"), "PR says partial")
def pr = new groovy.json.JsonSlurper().parse(new File(artifacts(basedir, "timeout"), "pr.json"))
check(pr.labels.contains("partial"), "PR labelled partial")
def files = branchFiles(basedir, "auto/timeout")
check(files.contains("tests/test_order_etask.py") && files.contains("tests/test_payment.py") && !files.contains("tests/test_user_etask.py"), "branch: " + files)
check(!new File(basedir, "target/etask/timeout/repo/tests/test_user_etask.py").exists(), "the clone is clean")
def ps = "ps -eo args".execute().text
check(!ps.readLines().any { it.contains("behave.py") && it.contains("user.py") }, "the stalled generator was killed")
return true
