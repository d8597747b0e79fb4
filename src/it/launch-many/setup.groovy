evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))
// the reviewer who merges each delivered branch into main as it arrives; verify.groovy stops it
def merger = ["python3", new File(basedir, "merger.py").path, new File(basedir, "origin.git").path,
              new File(basedir, "merger.stop").path, new File(basedir, "merger.log").path]
        .execute(gitEnv(new File(basedir, ".it-home")), basedir)
merger.consumeProcessOutput(System.out, System.err)
return true
