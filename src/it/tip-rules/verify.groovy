evaluate(new File(itSources, "common.groovy"))
// incremental and full validation decide the same, for the same reasons
["tip-rules", "tip-rules-full"].each { id ->
    def s = status(basedir, id)
    def d = batchDecisions(s)
    check(d == ["src/service/order.py=rollback", "src/service/payment.py=accept", "src/service/user.py=accept",
                "src/utils/retry.py=rollback"], id + " decisions: " + d)
    def deselect = s.batches[0]
    check(deselect.reason.contains("no longer run") && !deselect.reason.contains("collecting"),
        id + ": the deselecting test is dropped for the tests it removed: " + deselect.reason)
    check(deselect.labels.containsAll(["tests-removed", "coverage-risk"]),
        id + ": labelled as full validation labels it: " + deselect.labels)
    check(s.batches[2].validation == "full" && s.batches[2].labels.isEmpty(),
        id + ": the batch changing a source file is judged on a verified state: " + s.batches[2])
    def clash = s.batches[3]
    check(clash.reason.contains("collecting") && clash.reason.contains("tests/unit/test_order.py"),
        id + ": the clash is a collection error: " + clash.reason)
    check(s.exit_code == 2, id + " exit 2: " + s.exit_code)
    def files = branchFiles(basedir, "auto/" + id)
    check(files.contains("tests/test_payment_etask.py") && files.contains("tests/test_user_etask.py")
        && !files.contains("tests/test_order_etask.py") && !files.contains("tests/unit/test_order.py"),
        id + ": only the good batches are delivered: " + files)
}
def inc = status(basedir, "tip-rules")
check(inc.batches[0].validation == "incremental" && inc.batches[0].labels.contains("full-suite-failed"),
    "found on the tip: " + inc.batches[0])
check(inc.batches[3].labels.contains("full-suite-failed"), "found on the tip: " + inc.batches[3])
check(new File(basedir, "build.log").text.contains("the whole suite on the tip before batch 3/4 (validated with the whole suite: the batch changes more than new test files)"),
    "the batches validated alone were verified before the batch validated in full")
// the same labels and coverage, how a batch was found aside
def full = status(basedir, "tip-rules-full")
[0, 1, 2, 3].each { i ->
    check(inc.batches[i].labels - ["full-suite-failed"] == full.batches[i].labels,
        "batch " + (i + 1) + " labels: " + inc.batches[i].labels + " vs " + full.batches[i].labels)
}
check(inc.coverage_after == full.coverage_after, "coverage " + inc.coverage_after + " vs " + full.coverage_after)
return true
