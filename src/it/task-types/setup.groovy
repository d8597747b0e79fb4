evaluate(new File(itSources, "common.groovy"))
// the ready example specs of tasks/ as a user runs them (their demo/shop is a plain folder: etask
// makes its local origin), and a unittest project as an origin of its own
def tasks = new File(basedir, "tasks")
new File(tasksDir).listFiles().findAll { it.name.startsWith("shop-") && it.name.endsWith(".yaml") }.each {
    java.nio.file.Files.copy(it.toPath(), new File(tasks, it.name).toPath())
}
copyTree(new File(tasksDir, "demo/shop"), new File(tasks, "demo/shop"))
def seed = new File(basedir, "seed-ledger")
copyTree(new File(itSources, "fixtures/ledger"), seed)
git(basedir, ["init", "-q", "-b", "main", seed.path])
git(seed, ["add", "-A"])
git(seed, ["commit", "-q", "-m", "Initial import"])
git(basedir, ["clone", "-q", "--bare", seed.path, "ledger.git"])
return true
