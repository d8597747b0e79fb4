evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "quality")
check(batchDecisions(s) == ["src/service/order.py=rollback", "src/service/payment.py=accept", "src/service/user.py=keep",
    "src/utils/retry.py=keep"], "decisions: " + batchDecisions(s))
check(s.batches[0].labels.contains("flaky") && s.batches[0].metrics.flaky_tests == 1, "flaky rolled back: " + s.batches[0])
check(s.batches[1].metrics.weak_tests == 0, "characterization tests kill the mutant: " + s.batches[1].metrics)
check(s.batches[2].labels == ["weak-tests"] && s.batches[2].metrics.weak_tests >= 1, "no assertion flagged: " + s.batches[2])
check(s.batches[3].labels == ["weak-tests"], "a smoke test survives the mutant: " + s.batches[3])
check(s.exit_code == 2, "risky")
def files = branchFiles(basedir, "auto/quality")
check(files.contains("tests/test_user_etask.py") && !files.contains("tests/test_order_etask.py"), "branch: " + files)
def body = new File(artifacts(basedir, "quality"), "pr.md").text
check(body.contains("no assertion") && body.contains("returns is replaced by None"), "PR names the weak tests")
check(git(new File(basedir, "origin.git"), ["diff", "main", "auto/quality", "--", "src"]).isEmpty(), "sources restored")
def clone = new File(basedir, "target/etask/quality/repo")
check(git(clone, ["status", "--porcelain"]).isEmpty(), "the clone is clean after the mutation check")
return true
