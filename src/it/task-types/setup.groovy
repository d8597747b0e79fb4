evaluate(new File(itSources, "common.groovy"))
["shop", "ledger"].each { name ->
    def seed = new File(basedir, "seed-" + name)
    copyTree(new File(itSources, "fixtures/" + name), seed)
    git(basedir, ["init", "-q", "-b", "main", seed.path])
    git(seed, ["add", "-A"])
    git(seed, ["commit", "-q", "-m", "Initial import"])
    git(basedir, ["clone", "-q", "--bare", seed.path, name + ".git"])
}
return true
