// A checkout with an uncommitted change that adds a type error and lowers coverage.
evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
def seed = new File(basedir, "seed")
new File(seed, "src/utils/retry.py") << "\n\ndef extra(x: int) -> str:\n    return x\n"
new File(seed, "pom.xml").text = new File(basedir, "pom.xml").text
return true
