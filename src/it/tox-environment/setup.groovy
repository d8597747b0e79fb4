evaluate(new File(itSources, "common.groovy"))
makeOriginFrom(basedir, "toxenv")
java.nio.file.Files.copy(new File(tasksDir, "generators/characterize.py").toPath(), new File(basedir, "characterize.py").toPath())
new File(basedir, "behaviours.txt").text = """src/toxenv/core.py: smoke
src/toxenv/text.py: failing-test
src/toxenv/more.py: patch-reporter
src/toxenv/less.py: shadow-coverage
"""
return true
