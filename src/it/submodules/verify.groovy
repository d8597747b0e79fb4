evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "submodules")
// the checked-out submodule is read-only to the generator: its edit fails the generator
check(batchDecisions(s) == ["src/service/order.py=rollback", "src/service/payment.py=skip", "src/service/user.py=accept"],
    "decisions: " + batchDecisions(s))
check(s.batches[0].reason.contains("inside the submodule(s) tests/toml-test"), "the empty folder filled: " + s.batches[0].reason)
check(s.batches[1].reason.contains("Read-only file system: 'vendor/lib/data.py'"), "the checked-out one not writable: " + s.batches[1].reason)
// the baseline saw the fetchable submodule's files: only the test that needs the other fails
check(s.tests_failed == 1, "one failing test, the one that needs tests/toml-test: " + s.tests_failed)
def origin = new File(basedir, "origin.git")
def links = { String ref -> git(origin, ["ls-tree", "-r", ref]).readLines().findAll { it.startsWith("160000") } }
check(links("auto/submodules") == links("main") && links("main").size() == 2, "gitlinks untouched: " + links("auto/submodules"))
check(git(origin, ["diff", "--name-only", "main", "auto/submodules"]).readLines() == ["tests/test_user_etask.py"],
    "the branch adds only the good test")
def log = new File(basedir, "build.log").text
check(log.contains("submodule tests/toml-test (https://github.invalid/toml-lang/toml-test) cannot be fetched"),
    "the unfetchable submodule named at PREPARE")
check(log.contains("checked out 1 submodule(s) (vendor/lib)"), "the fetchable one checked out")
check(log.contains("the tests need tests/toml-test, declared in .gitmodules") && log.contains("--ignore=tests/toml-test"),
    "the hint names the submodule and how to leave its tests out")
def clone = new File(basedir, "target/etask/submodules/repo")
check(new File(clone, "vendor/lib/data.py").text == "data = 1\n", "the submodule's file as its commit has it")
check(new File(clone, "tests/toml-test").list().length == 0, "the unfetchable submodule's folder empty")
return true
