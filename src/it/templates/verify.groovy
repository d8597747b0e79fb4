evaluate(new File(itSources, "common.groovy"))
def log = new File(basedir, "build.log").text
["custom (the default)", "add-tests (template version", "lint-fix (template version", "format (template version",
 "modernize (template version", "logging-normalize (template version", "builtin: crosshair",
 "option generator.builtin:"].each { check(log.contains(it), "etask:templates lists '" + it + "':\n" + log) }
return true
