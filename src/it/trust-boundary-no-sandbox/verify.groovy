evaluate(new File(itSources, "common.groovy"))
def token = "ghp_itTrustBoundary0123456789abcdef"
def log = new File(basedir, "build.log").text
check(log.contains("sandbox: off (-Detask.sandbox=off)"), "the log says the sandbox is off and why")

def s = status(basedir, "trust-boundary-off")
def d = batchDecisions(s)
check(d == ["src/__init__.py=accept", "src/service/__init__.py=rollback", "src/service/order.py=rollback",
    "src/service/payment.py=accept", "src/service/user.py=rollback", "src/utils/__init__.py=accept",
    "src/utils/logging.py=rollback", "src/utils/retry.py=rollback"], "decisions: " + d)
check(s.sandbox.startsWith("off"), "status.json says the sandbox was off: " + s.sandbox)
// 1. git's index rewritten by a test while the gates ran
check(s.batches[1].reason.contains("the clone changed while the gates ran") && s.batches[1].reason.contains("git's index"),
    "the rewritten index is seen: " + s.batches[1].reason)
// 2. the shadowing .pyc
check(s.batches[2].reason.contains("change what Python imports") && s.batches[2].reason.contains("src/service/order/__init__.pyc"),
    "the shadowing .pyc is named: " + s.batches[2].reason)
// 4. the token read from /proc and written into a test
check(s.batches[4].reason.contains("secret") && s.batches[4].reason.contains("tests/test_user_etask.py") && !s.batches[4].reason.contains(token),
    "the leaking file is named, never the value: " + s.batches[4].reason)
// tracked files deleted by a test while the gates ran
check(s.batches[6].reason.contains("deleted") && s.batches[6].reason.contains("tests/test_order.py"),
    "the deleted tracked files are named: " + s.batches[6].reason)
check(s.batches[7].reason.contains("hard links"), "the hard link is named: " + s.batches[7].reason)
// 5. what escaped the generator's session and environment is stopped and named
check(s.survivors.any { it.contains("sleep 307") }, "survivors in status.json: " + s.survivors)
check(log.contains("left running: ") && log.contains("sleep 307"), "survivors in the log")
check(s.exit_code == 2, "exit 2: " + s.exit_code)

def files = branchFiles(basedir, "auto/trust-boundary-off")
def origin = new File(basedir, "origin.git")
check(!files.contains("SNEAKED.txt") && !files.any { it.endsWith(".pyc") }, "branch: " + files)
check(files.contains("tests/test_order.py") && files.contains("tests/test_user.py"), "the deleted tests are still on the branch")
check(git(origin, ["show", "auto/trust-boundary-off:src/service/__init__.py"]) == git(origin, ["show", "main:src/service/__init__.py"]),
    "the source file a test put into the index is not pushed")
check(!git(origin, ["show", "auto/trust-boundary-off:src/service/order.py"]).contains("broken by the generator"),
    "the broken target is not pushed")
check(!git(origin, ["show", "auto/trust-boundary-off:src/utils/__init__.py"]).contains("escaped"),
    "what the escaped process would have written is not pushed")
check(gitAnswer(origin, ["grep", "-c", token, "auto/trust-boundary-off"]).isEmpty(), "the token is not on the branch")
check(!log.contains(token), "the token is not in the build log")
def leaked = []
new File(basedir, "target/etask").eachFileRecurse { f -> if (f.isFile() && f.size() < 5_000_000 && f.text.contains(token)) leaked << f }
check(leaked.isEmpty(), "the token is in no file etask wrote: " + leaked)

// 3. the forged cache folder is not one any other task reads without a sandbox
def forgedEntry = new File(basedir, "cache/bytecode/aa/entry")
check(new String(forgedEntry.bytes, "ISO-8859-1").contains("forged by a generator"), "the generator did forge the shared folder")
def after = status(basedir, "after-the-attack")
check(batchDecisions(after) == ["src/service/payment.py=accept"], "the next task: " + batchDecisions(after))
check(after.coverage_after > after.coverage_before, "the next task measures: " + after.coverage_before + " -> " + after.coverage_after)
def worker = new File(basedir, "target/etask/after-the-attack/logs/python-worker.log").text
check(worker.contains("--bytecode " + new File(basedir, "target/etask/after-the-attack/bytecode").canonicalPath),
    "without a sandbox the worker's bytecode is the task's own")
check(worker.contains("served etask-coverage_data.py"), "the next task's worker served its calls")

def mine = ProcessHandle.allProcesses().findAll { h ->
    h.pid() != ProcessHandle.current().pid() && h.info().commandLine().orElse("").contains(basedir.path)
}.collect { it.pid() + " " + it.info().commandLine().orElse("?") }
check(mine.isEmpty(), "processes left running: " + mine)
check(ProcessHandle.allProcesses().noneMatch { it.info().commandLine().orElse("") == "sleep 307" }, "the escaped sleep is gone")
return true
