evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
new File(basedir, "outside-victim.txt").text = "a file outside the clone\n"
// a shared bytecode cache with an entry in it, for the hostile generator to forge (-Detask.cacheDir=cache)
def entry = new File(basedir, "cache/bytecode/aa/entry")
entry.parentFile.mkdirs()
entry.text = "an entry of the shared bytecode cache\n"
return true
