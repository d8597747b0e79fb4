// A bad spec stops before any work with messages naming file, line and column.
def log = new File(basedir, "build.log").text
def spec = new File(basedir, "task.yaml").canonicalPath
assert log.contains(spec + ":7:1: unknown key 'stratgy'; did you mean 'strategy'?")
assert log.contains(spec + ":10:16: 'limits.max_commits' must be a whole number but is a string 'five'")
assert log.contains(spec + ":11:1: duplicate key 'objective' (first defined on line 2)")
assert !new File(basedir, "target/etask/bad-spec").exists() : "no workspace was made"
return true
