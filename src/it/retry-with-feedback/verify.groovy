evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "retry")
check(s.batches[0].decision == "accept" && s.batches[0].attempts == 2 && s.batches[0].first_try_pass == false,
    "accepted on the second attempt: " + s.batches[0])
check(s.exit_code == 0 && s.commits == 1, "exit 0: " + s.summary)
def log = new File(basedir, "target/etask/retry/logs/batch-1-generate.log").text
check(log.contains("behave: fixing after feedback: 1 test(s) fail"), "the retry saw the failure summary: " + log)
check(new File(basedir, "build.log").text.contains("attempt 2 of 2 gets the failure as feedback"), "retry announced")
// the failing test is named as pytest names it: in the console, in the retry's prompt
check(new File(basedir, "build.log").text.contains("new: fail  tests/test_order_etask.py::test_exposes_a_bug"),
    "the console names the failing test")
check(log.contains("behave: the prompt names fail  tests/test_order_etask.py::test_exposes_a_bug"),
    "the prompt names the failing test: " + log)
def files = branchFiles(basedir, "auto/retry")
check(files.contains("tests/test_order_etask.py"), "the fixed test is on the branch")
def test = git(new File(basedir, "origin.git"), ["show", "auto/retry:tests/test_order_etask.py"])
check(!test.contains("wrong"), "the failing version never reached the branch")
return true
