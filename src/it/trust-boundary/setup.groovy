evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
new File(basedir, "outside-victim.txt").text = "a file outside the clone\n"
// one more module, for the batch whose test forges mypy's report
def seed = new File(basedir, "seed")
new File(seed, "src/service/refunds.py").text = '"""Refunds."""\n\n\ndef refund(amount: int) -> int:\n    return -amount\n'
git(seed, ["add", "-A"])
git(seed, ["commit", "-q", "-m", "Refunds"])
git(seed, ["push", "-q", new File(basedir, "origin.git").path, "main"])
return true
