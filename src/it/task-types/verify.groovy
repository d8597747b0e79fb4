evaluate(new File(itSources, "common.groovy"))
// local origins are named for the folder and a hash of its path
def madeFrom = { String folder ->
    def found = new File(basedir, "target/etask/origins").listFiles().findAll {
        it.name ==~ /shop-[0-9a-f]{8}\.git/ && new File(it, "etask-made-from").text.trim().endsWith(folder) }
    check(found.size() == 1, "one local origin made from " + folder + ": " + found)
    found[0]
}
def shop = madeFrom("tasks/demo/shop")
def show = { File origin, String ref -> git(origin, ["show", ref]) }

// add-tests, pytest project: CrossHair's examples as readable pytest tests, coverage of a module
// that had none raised, only passing tests committed
def s = status(basedir, "shop-add-tests")
check(s.exit_code == 0 && batchDecisions(s) == ["src/shop/pricing.py=accept"], "shop-add-tests: " + s.summary)
check(s.coverage_after > s.coverage_before + 20, "coverage raised: " + s.coverage_before + " -> " + s.coverage_after)
def tests = show(shop, "auto/shop-add-tests:tests/test_pricing.py")
check(tests.contains("def test_classify_returns_few() -> None:") && tests.contains("pytest.raises(ValueError"),
    "readable pytest tests: " + tests)
def names = tests.readLines().findAll { it.startsWith("def test_") }
check(names.size() > 3 && names.every { it.contains("_returns_") || it.contains("_raises_") } && !tests.contains("assert True"),
    "named for what they check (not numbered), no assert True: " + names)
check(tests.contains("from shop.pricing import classify, discounted, shipping"), "the project's imports: " + tests)
def commits = git(shop, ["log", "--format=%s", "main..auto/shop-add-tests"]).readLines()
check(commits == ["test: add tests for the pricing module (src/shop/pricing.py)"], "the type's commit subject: " + commits)

// add-tests, unittest project: TestCase classes, and python -m unittest runs them
def l = status(basedir, "ledger-tests")
check(l.exit_code == 0 && l.coverage_after > l.coverage_before, "ledger-tests: " + l.summary)
def ledger = madeFrom("tasks/unit/shop")
check(!git(shop, ["branch", "--list"]).contains("ledger"), "the demo shop's origin holds no ledger branch")
def unit = show(ledger, "auto/ledger-tests:tests/test_accounts.py")
check(unit.contains("(unittest.TestCase):") && unit.contains("self.assertEqual(") && !unit.contains("pytest"),
    "unittest style: " + unit)
def checkout = new File(basedir, "ledger-check")
git(basedir, ["clone", "-q", "-b", "auto/ledger-tests", ledger.path, checkout.path])
def ran = venvRun(basedir, "ledger-tests", checkout, ["-m", "unittest"])
check((ran =~ /Ran (\d+) tests/)[0][1] as int > 3 && ran.contains("OK"), "python -m unittest: " + ran)

// the ruff types: each changed legacy.py and passed the gates; their large-diff and coverage-changed
// labels are informational (exit 0)
def legacy = { String id -> show(shop, "auto/" + id + ":src/shop/legacy.py") }
["shop-lint-fix", "shop-format", "shop-modernize", "shop-logging-normalize"].each { id ->
    def t = status(basedir, id)
    check(t.exit_code == 0 && t.commits == 1 && t.risk_labels == [], id + ": " + t.summary + " " + t.risk_labels)
    check(t.batches.every { it.decision in ["accept", "keep", "skip"] }, id + " decisions: " + batchDecisions(t))
}
check(!legacy("shop-lint-fix").contains("import os"), "lint-fix removed the unused import")
check(legacy("shop-format").contains('return "\\n".join(lines)'), "format: " + legacy("shop-format"))
def modern = legacy("shop-modernize")
check(modern.contains("class Stock:") && modern.contains("super().__init__()"), "modernize: " + modern)
def logging = legacy("shop-logging-normalize")
check(logging.contains('logger.info("added %s of %s", count, name)')
    && logging.contains('logger.warning("cannot take %s of %s: only %s", count, name, have)')
    && logging.contains('logger.debug("took %d of %s", count, name)'), "logging-normalize: " + logging)
def lintLog = venvRun(basedir, "shop-logging-normalize", basedir,
    ["-m", "ruff", "--version"])
check(lintLog.contains("ruff"), "the venv has ruff: " + lintLog)
def skipped = status(basedir, "shop-logging-normalize").batches.findAll { it.decision == "skip" }
check(skipped*.files.flatten() == ["src/shop/__init__.py", "src/shop/pricing.py"], "no logging call there: " + skipped)

// tidy: the same messy test is accepted with tidy on (imports sorted, the unused one gone) and
// rejected for lint with it off
def on = status(basedir, "tidy-on")
check(on.exit_code == 0 && batchDecisions(on) == ["src/shop/pricing.py=accept"], "tidy-on: " + on.summary)
def tidied = show(shop, "auto/tidy-on:tests/test_pricing_messy.py")
check(tidied.startsWith("import pytest\n\nfrom shop.pricing import classify\n") && !tidied.contains("import os"),
    "tidied: " + tidied)
check(new File(basedir, "target/etask/tidy-on/logs/batch-1-tidy.log").text.contains("ruff"), "tidy's log")
def off = status(basedir, "tidy-off")
check(off.exit_code == 1 && off.batches[0].decision == "skip" && off.batches[0].reason.contains("lint"),
    "tidy-off: " + off.batches)

// Hypothesis' Ghostwriter where the project depends on hypothesis: property tests that check what
// each function returns, as TestCase methods in this unittest project
def p = status(basedir, "ledger-properties")
check(p.exit_code == 0 && p.coverage_after > p.coverage_before, "ledger-properties: " + p.summary)
def props = show(ledger, "auto/ledger-properties:tests/test_accounts.py")
check(props.contains("@given(") && props.contains("(unittest.TestCase):")
    && props =~ /def test_fee_returns_int_for_any_balance\(self, balance: int\) -> None:/
    && props.contains("self.assertIsInstance(result, int)"), "property tests: " + props)
// ... and where it does not: nothing written, the reason given
def np = status(basedir, "shop-properties")
check(np.exit_code == 1 && np.batches[0].reason.contains("generator"), "shop-properties: " + np.batches)
check(new File(basedir, "target/etask/shop-properties/logs/batch-1-generate.log").text
    .contains("hypothesis is not a test dependency of this repository"), "the Ghostwriter says why")
// Pynguin, opt-in in the sandbox: readable tests that raise the module's coverage
def pg = status(basedir, "shop-pynguin")
check(pg.exit_code == 0 && pg.coverage_after > pg.coverage_before, "shop-pynguin: " + pg.summary)
def pt = show(shop, "auto/shop-pynguin:tests/test_pricing.py")
check(pt.contains("from shop.pricing import") && !pt.contains("var_") && !pt.contains("module_0")
    && !(pt =~ /def test_\d|test_case_\d/), "Pynguin's tests made readable: " + pt)
return true
