import groovy.json.JsonSlurper
evaluate(new File(itSources, "common.groovy"))
def origin = new File(basedir, "origin.git")
// stop the reviewer after one last pass over the branches
new File(basedir, "merger.stop").text = "stop"
def mergerLog = new File(basedir, "merger.log")
for (int i = 0; i < 300 && !(mergerLog.exists() && mergerLog.text.contains("done")); i++) {
    Thread.sleep(100)
}
check(mergerLog.exists() && mergerLog.text.contains("done"), "the reviewer stopped")
def merges = mergerLog.readLines().findAll { it.startsWith("merged ") }

def log = new File(basedir, "build.log").text
check(log.contains("── LAUNCH ── 7 task(s) from tasks, 5 at a time"), "the launch says what it runs")
check(log.contains("[e1] ── PREPARE ── e1"), "a task's lines carry its spec's name")
check(log.contains("[broken] invalid task spec") && log.contains("writeable"), "the invalid spec is said, with its problem")
check(log.contains("2 of 7 task(s) failed: broken, fatal"), "the build fails because of the two, after all ran")

// five branches, five PR records, every task's test on its branch
def five = (1..5).collect { "e" + it }
def rebased = []
five.each { id ->
    def s = status(basedir, id)
    check(s.exit_code == 0 && s.commits == 1, id + " delivered its commit: " + s.summary)
    def pr = new JsonSlurper().parse(new File(artifacts(basedir, id), "pr.json"))
    check(pr.head == "auto/" + id && pr.base == "main", id + "'s PR record: " + pr)
    def n = id.substring(1)
    def test = git(origin, ["show", "auto/" + id + ":tests/test_order.py"])
    check(test.contains("def test_task" + n + "_buys_" + n + "_pens"), id + "'s test is on its branch")
    if (s.batches.any { it.rebased_onto != null }) {
        rebased << id
        // made again on the moved main: the branch holds main as the reviewer had merged it then
        def onto = s.batches.find { it.rebased_onto != null }.rebased_onto
        check(git(origin, ["merge-base", "--is-ancestor", onto, "auto/" + id]) == "", id + " is on " + onto)
    }
}
check(merges.size() == 5, "the reviewer merged all five branches as they arrived: " + mergerLog.text)
check(!rebased.isEmpty(), "the later pushers found main moved and were rebased onto it")

// nothing lost: main holds all five tests, and they pass
def seed = new File(basedir, "seed")
git(seed, ["fetch", "-q", origin.path, "main"])
git(seed, ["checkout", "-q", "FETCH_HEAD"])
def mainTest = new File(seed, "tests/test_order.py").text
(1..5).each { n -> check(mainTest.contains("def test_task" + n + "_buys_" + n + "_pens"), "main holds task " + n + "'s test") }
def pytest = venvRun(basedir, "e1", seed, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_order.py"])
check(pytest.contains("9 passed"), "main's test file runs its four tests and the five tasks': " + pytest)

// the dashboard of the launch: all seven, with the right figures
def dashDir = new File(basedir, "target/etask/artifacts")
check(log.contains("── DASHBOARD ── " + new File(dashDir, "dashboard.md").path), "the launch ends with the dashboard's path")
def d = new JsonSlurper().parse(new File(dashDir, "dashboard.json"))
check(d.totals.tasks == 7 && d.totals.ok == 5 && d.totals.failed == 2 && d.totals.commits == 5, "totals: " + d.totals)
check(d.tasks*.id == ["broken", "e1", "e2", "e3", "e4", "e5", "fatal"], "one row per task: " + d.tasks*.id)
def fatal = d.tasks.find { it.id == "fatal" }
check(fatal.exit_code == 1 && fatal.why.contains("src/service/refunds.py"), "the fatal task says why: " + fatal.why)
check(fatal.tests_passed == null, "an include that matches nothing is said right after the clone, before any baseline")
def broken = d.tasks.find { it.id == "broken" }
check(broken.why == "invalid task spec" && broken.path.endsWith("broken.yaml"), "the invalid spec is a row: " + broken)
def conflict = d.figures.find { it.name == "conflict rate" }
check(conflict.value == "0 % (0 of 6 tasks need a person; " + rebased.size() + " rebased by etask)" && conflict.met,
        "the conflict rate counts the tasks that ran: " + conflict)
def md = new File(dashDir, "dashboard.md").text
check(md.contains("7 task(s) from `tasks`: 5 ok, 0 partial, 0 risky, 2 failed · 5 commit(s)"), "the page's totals")
check(md.contains("- **fatal** (failed): "), "the page says why the fatal task stopped")
return true
