evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
// the generator beside the specs, as {spec_dir} names it
java.nio.file.Files.copy(new File(basedir, "characterize.py").toPath(), new File(basedir, "tasks/characterize.py").toPath())
return true
