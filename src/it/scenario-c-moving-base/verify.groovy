evaluate(new File(itSources, "common.groovy"))
def origin = new File(basedir, "origin.git")
def first = status(basedir, "first")
check(first.exit_code == 0, "first delivered: " + first.summary)
def s = status(basedir, "second")
def main = git(origin, ["rev-parse", "main~1"]) // as task second left it: run 3 moved it once more
check(s.base_sha == main, "second was rebased onto the moved main " + main + ": " + s.base_sha)
check(s.exit_code == 2 && s.labels.contains("needs-manual-review"), "exit 2, needs-manual-review: " + s.summary + " " + s.labels)
// the logic change conflicted with the base's change to the same line: dropped, the base's kept
def logic = s.batches[0]
check(logic.decision == "rollback" && logic.reason.contains("dropped in the rebase onto")
    && logic.conflicts[0].startsWith("src/service/order.py: dropped (both changed the same lines; the base's commit "),
    "batch 1 dropped: " + logic)
def order = git(origin, ["show", "auto/second:src/service/order.py"])
check(git(origin, ["log", "-1", "--format=%s", "main"]) == "Title-case user names", "main moved once in run 3")
check(order.contains("TAX_RATE = 0.08  # sales tax") && !order.contains("# VAT"), "order.py is main's: " + order)
// the test file both changed: merged structurally, both tests there, and they pass
def tests = s.batches[1]
check(tests.decision == "accept" && tests.rebased_onto == main
    && tests.conflicts == ["tests/test_order.py: merged structurally"], "batch 2 merged: " + tests)
def file = git(origin, ["show", "auto/second:tests/test_order.py"])
check(file.contains("def test_first_pen_costs_three()") && file.contains("def test_second_pen_costs_two()")
    && !file.contains("<<<<<<<"), "both tests in the merged file:\n" + file)
def checkout = new File(basedir, "check")
git(basedir, ["clone", "-q", "-b", "auto/second", origin.path, checkout.path])
def ran = venvRun(basedir, "second", checkout, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_order.py"])
check(ran =~ /\d+ passed/ && !ran.contains("failed"), "the merged file's tests pass:\n" + ran)
// the moved main was measured, then the rebased tip against it, before the push
def log = new File(basedir, "build.log").text
check(log.contains("measuring the moved main first"), "the moved base measured first")
def body = new File(basedir, "target/etask/artifacts/second/pr.md").text
check(body.contains("**Rebased onto `" + main.substring(0, 12) + "`:**")
    && body.contains("tests/test_order.py: merged structurally")
    && body.contains("src/service/order.py: dropped"), "the PR says what the rebase did:\n" + body)

// a union that parses but fails a test against the moved base: only the batch's change to that file
// is dropped, the rest of the batch and the other batch pushed
def t = status(basedir, "third")
check(t.exit_code == 2 && t.base_sha == git(origin, ["rev-parse", "main"])
    && t.labels.contains("needs-manual-review"), "third: " + t.summary + " " + t.labels)
def names = t.batches[0]
check(names.decision == "accept" && names.conflicts.size() == 1
    && names.conflicts[0].startsWith("tests/test_user.py: dropped (merged structurally, but the whole suite fails with them: ")
    && names.labels.contains("needs-manual-review"), "only the merged test file dropped: " + names)
check(t.batches[1].decision == "accept", "the registry test kept: " + t.batches[1])
def files = branchFiles(basedir, "auto/third")
check(files.contains("tests/test_third_registry.py"), "the test file pushed: " + files)
check(git(origin, ["show", "auto/third:tests/test_user.py"]) == git(origin, ["show", "main:tests/test_user.py"]),
    "tests/test_user.py is main's: the task's change to it dropped")
def user = git(origin, ["show", "auto/third:src/service/user.py"])
check(user.contains('"""Users: registration, validation, a registry."""') && user.contains("name.strip().title()"),
    "the batch's other change kept, on main's user.py:\n" + user)
def thirdBody = new File(basedir, "target/etask/artifacts/third/pr.md").text
check(thirdBody.contains("tests/test_user.py: dropped (merged structurally, but"), "the PR says so:\n" + thirdBody)
return true
