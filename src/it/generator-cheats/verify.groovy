evaluate(new File(itSources, "common.groovy"))
def s = status(basedir, "generator-cheats")
def d = batchDecisions(s)
check(d == ["src/service/__init__.py=keep", "src/service/order.py=rollback", "src/service/payment.py=rollback",
    "src/service/user.py=rollback", "src/utils/__init__.py=rollback", "src/utils/logging.py=accept",
    "src/utils/retry.py=accept"], "decisions: " + d)
check(s.batches[0].labels == ["test-config-changed"], "a named conftest.py may change, labelled: " + s.batches[0].labels)
check(s.risk_labels.contains("test-config-changed"), "risk labels: " + s.risk_labels)
check(s.batches[1].reason.contains("tests/unit/conftest.py") && s.batches[1].reason.contains("configures the test runner"),
    s.batches[1].reason)
check(s.batches[2].reason.contains("reports/current.json"), "the forged report is seen: " + s.batches[2].reason)
check(s.batches[4].reason.contains("loads pytest plugins"), "a plugin loaded by a test module: " + s.batches[4].reason)
check(s.batches[3].reason.contains("virtualenv") && s.batches[3].reason.contains("zz_etask_it.pth"), s.batches[3].reason)
check(s.exit_code == 2, "exit 2 (batches rolled back): " + s.exit_code)
def files = branchFiles(basedir, "auto/generator-cheats")
check(files.contains("tests/conftest.py") && !files.contains("tests/unit/conftest.py")
    && !files.contains("tests/test_payment_etask.py")
    && files.contains("tests/test_logging_etask.py") && files.contains("tests/test_retry_etask.py"), "branch: " + files)
def venv = new File(basedir, "target/etask/generator-cheats/venv")
def pth = []
venv.eachFileRecurse { if (it.name == "zz_etask_it.pth") pth << it }
check(pth.isEmpty(), "the virtualenv was rebuilt without the .pth file: " + pth)
def log = new File(basedir, "build.log").text
check(log.contains("the generator of batch 6/7 left git's lock file .git/index.lock behind"), "stale lock reported")
check(log.contains("rebuilt"), "venv rebuilt")
check(!new File(basedir, "target/etask/generator-cheats/repo/.git/index.lock").exists(), "lock removed")
def envLog = new File(basedir, "target/etask/generator-cheats/logs/prepare-env.log").text
check(envLog.contains("install") && envLog.contains(" -r requirements.txt "), "install split into words: " + envLog.readLines().find { it.contains("install") })
return true
