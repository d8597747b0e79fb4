evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
def outside = new File(basedir.parentFile, "aborted-failure-pr-outside")
outside.mkdirs()
new File(outside, "gen.py").text = "print('never runs in the sandbox')\n"
return true
