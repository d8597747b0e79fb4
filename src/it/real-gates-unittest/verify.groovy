import groovy.json.JsonSlurper
evaluate(new File(itSources, "common.groovy"))
def id = "real-gates-unittest"
def s = status(basedir, id)
def d = batchDecisions(s)
check(d == ["textkit/__init__.py=accept", "textkit/words.py=rollback"], "decisions: " + d)
check(s.batches[1].reason.contains("test(s) fail"), "the broken doctest is caught: " + s.batches[1].reason)
check(s.gates.test_runner == "unittest" && s.gates.lint_select == ["E9", "F63", "F7", "F82"], "gates: " + s.gates)
check(new File(basedir, "target/etask/" + id + "/logs/prepare-env.log").text.contains("six>=1.16,<2"),
    "Poetry's dev dependency installed")
// etask's baseline ran what python -m unittest runs: the doctests too
def baseline = new JsonSlurper().parse(new File(basedir, "target/etask/" + id + "/reports/baseline.json"))
def own = venvRun(basedir, id, new File(basedir, "seed"), ["-m", "unittest"])
def ran = (own =~ /Ran (\d+) tests?/)[0][1] as int
check(ran == 5 && baseline.tests.passed == ran, "tests: python -m unittest ran " + ran + ", etask's baseline "
    + baseline.tests.passed + "\n" + own)
return true
