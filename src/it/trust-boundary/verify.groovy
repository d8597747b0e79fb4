evaluate(new File(itSources, "common.groovy"))
originGit = { -> new File(basedir, "origin.git") }
def token = "ghp_itTrustBoundary0123456789abcdef"
def log = new File(basedir, "build.log").text
check(log.contains("sandbox: bubblewrap"), "the sandbox is on and said so")

def s = status(basedir, "trust-boundary")
def d = batchDecisions(s)
check(d == ["src/__init__.py=accept", "src/service/__init__.py=accept", "src/service/order.py=rollback",
    "src/service/payment.py=accept", "src/service/refunds.py=rollback", "src/service/user.py=accept",
    "src/utils/__init__.py=accept", "src/utils/logging.py=accept", "src/utils/retry.py=rollback"], "decisions: " + d)
// a test cannot forge another gate's report: mypy's is out of its reach
check(s.batches[4].labels.contains("type-risk") && s.batches[4].new_findings.any { it.contains("return-value") },
    "the type error is seen: " + s.batches[4].reason)
check(!git(originGit(), ["show", "auto/trust-boundary:src/service/refunds.py"]).contains("etask_bad"), "the type error is not pushed")
check(s.sandbox == "bubblewrap", "status.json names the sandbox: " + s.sandbox)
check(s.batches[2].reason.contains("change what Python imports") && s.batches[2].reason.contains("src/service/order/__init__.pyc"),
    "the shadowing .pyc is named: " + s.batches[2].reason)
check(s.batches[8].reason.contains("hard links") && s.batches[8].reason.contains("tests/test_retry_etask.py"),
    "the hard link is named: " + s.batches[8].reason)
check(s.survivors.any { it.contains("sleep 307") }, "what escaped the generator is named: " + s.survivors)
check(s.exit_code == 2, "exit 2 (batches rolled back): " + s.exit_code)

// 1. the branch holds exactly what the gates saw: no file outside the allowlist, the targets as they were
def files = branchFiles(basedir, "auto/trust-boundary")
check(!files.contains("SNEAKED.txt") && !files.any { it.endsWith(".pyc") }, "branch: " + files)
def origin = new File(basedir, "origin.git")
check(git(origin, ["show", "auto/trust-boundary:src/service/__init__.py"]) == git(origin, ["show", "main:src/service/__init__.py"]),
    "the source file a test put into the index is not pushed")
check(!git(origin, ["show", "auto/trust-boundary:src/service/order.py"]).contains("broken by the generator"),
    "the broken target is not pushed")
// 4. no secret in what is pushed, logged or kept
check(gitAnswer(origin, ["grep", "-c", token, "auto/trust-boundary"]).isEmpty(), "the token is not on the branch")
check(!log.contains(token), "the token is not in the build log")
def leaked = []
[new File(basedir, "target/etask")].each { root -> root.eachFileRecurse { f -> if (f.isFile() && f.size() < 5_000_000 && f.text.contains(token)) leaked << f } }
check(leaked.isEmpty(), "the token is in no file etask wrote: " + leaked)
// the origin's main is untouched, and the file outside the clone is still there
check(git(origin, ["rev-parse", "main"]) == git(new File(basedir, "seed"), ["rev-parse", "HEAD"]), "main was not pushed to")
check(new File(basedir, "outside-victim.txt").exists(), "a test could not delete a file outside the clone")
// the workspace beside the clone shows the generator only what it needs, though the spec's folder holds it
def beside = new File(basedir, "target/etask/trust-boundary/logs/batch-1-generate.log").readLines().find { it.startsWith("behave: beside the clone:") }
check(beside != null && !beside.contains("state.json") && !beside.contains("logs") && !beside.contains("reports"),
    "what the generator saw beside the clone: " + beside)
check(new File(basedir, "target/etask/trust-boundary/logs/batch-1-generate.log").text.contains("could not push"),
    "the generator could not push")

// 3. the forged shared cache: nothing was written into it, the next task's worker served from it
def bytecode = new File(basedir, "../../it-home/.cache/etask/bytecode")
def forged = []
if (bytecode.isDirectory()) {
    bytecode.eachFileRecurse { f -> if (f.isFile() && new String(f.bytes, "ISO-8859-1").contains("forged by a generator")) forged << f }
}
check(forged.isEmpty(), "the shared bytecode cache holds no forged entry: " + forged)
def after = status(basedir, "after-the-attack")
check(batchDecisions(after) == ["src/service/payment.py=accept"], "the next task: " + batchDecisions(after))
check(after.coverage_after > after.coverage_before, "the next task measures: " + after.coverage_before + " -> " + after.coverage_after)
def worker = new File(basedir, "target/etask/after-the-attack/logs/python-worker.log").text
check(worker.contains("served etask-coverage_data.py"), "the next task's worker served its calls in the sandbox")

// 5. no process outlives the task
def mine = ProcessHandle.allProcesses().findAll { h ->
    h.pid() != ProcessHandle.current().pid() && h.info().commandLine().orElse("").contains(basedir.path)
}.collect { it.pid() + " " + it.info().commandLine().orElse("?") }
check(mine.isEmpty(), "processes left running: " + mine)
check(ProcessHandle.allProcesses().noneMatch { it.info().commandLine().orElse("") == "sleep 307" }, "the escaped sleep is gone")
return true
