evaluate(new File(itSources, "common.groovy"))
def log = new File(basedir, "build.log").text
check(log.contains("HEAD is measured with the working tree's build outputs: src/cext/_native"), "build outputs copied")
check(log.contains("gates pass"), "an unchanged checkout passes")
def row = log.readLines().find { it.contains("tests ") && it.contains("passed") }
check(row != null && row.contains("2 passed") && !row.contains("failing") && !row.contains("FAIL"), "tests row: " + row)
return true
