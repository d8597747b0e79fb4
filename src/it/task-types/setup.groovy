evaluate(new File(itSources, "common.groovy"))
// the ready example specs of tasks/ as a user runs them (their demo/shop is a plain folder: etask
// makes its local origin), and a unittest project
def tasks = new File(basedir, "tasks")
new File(tasksDir).listFiles().findAll { it.name.startsWith("shop-") && it.name.endsWith(".yaml") }.each {
    java.nio.file.Files.copy(it.toPath(), new File(tasks, it.name).toPath())
}
copyTree(new File(tasksDir, "demo/shop"), new File(tasks, "demo/shop"))
// the unittest project is a plain folder too, and named shop as well: its local origin must not be
// the demo shop's
copyTree(new File(itSources, "fixtures/ledger"), new File(tasks, "unit/shop"))
return true
