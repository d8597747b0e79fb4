// A bare origin with the demo service, and a WireMock stub of the GitHub API on a free port that
// serves three repositories: acme/shop (a normal PR), acme/locked (the token is refused) and
// acme/flaky (the create answers 502 after making the PR).
import static com.github.tomakehurst.wiremock.client.WireMock.*
import com.github.tomakehurst.wiremock.WireMockServer
import com.github.tomakehurst.wiremock.stubbing.Scenario
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options

evaluate(new File(itSources, "common.groovy"))
makeOrigin(basedir, new File(tasksDir))

def api = new WireMockServer(options().dynamicPort())
api.start()
new File(basedir, "api.port").text = String.valueOf(api.port())

def json = { int status, String body -> aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body) }
def repo = { String name, boolean push ->
    """{"name":"${name}","full_name":"acme/${name}","owner":{"login":"acme"},"html_url":"https://github.example/acme/${name}","permissions":{"push":${push},"pull":true}}"""
}
def pr = { String name, String head ->
    """{"number":1,"state":"open","title":"t","body":"b","html_url":"https://github.example/acme/${name}/pull/1","head":{"ref":"${head}"},"base":{"ref":"main"},"labels":[]}"""
}
["shop", "flaky"].each { name ->
    def head = "auto/gh-" + name
    def scenario = name
    api.stubFor(get(urlEqualTo("/repos/acme/" + name)).willReturn(json(200, repo(name, true))))
    api.stubFor(get(urlPathEqualTo("/repos/acme/" + name + "/pulls")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED).willReturn(json(200, "[]")))
    api.stubFor(get(urlPathEqualTo("/repos/acme/" + name + "/pulls")).inScenario(scenario)
        .whenScenarioStateIs("created").willReturn(json(200, "[" + pr(name, head) + "]")))
    api.stubFor(post(urlEqualTo("/repos/acme/" + name + "/pulls")).inScenario(scenario)
        .whenScenarioStateIs(Scenario.STARTED)
        .willReturn(name == "flaky" ? aResponse().withStatus(502).withBody("Bad Gateway") : json(201, pr(name, head)))
        .willSetStateTo("created"))
    api.stubFor(get(urlEqualTo("/repos/acme/" + name + "/pulls/1")).willReturn(json(200, pr(name, head))))
    api.stubFor(patch(urlEqualTo("/repos/acme/" + name + "/pulls/1")).willReturn(json(200, pr(name, head))))
    api.stubFor(get(urlPathEqualTo("/repos/acme/" + name + "/labels")).willReturn(json(200, "[]")))
    api.stubFor(post(urlEqualTo("/repos/acme/" + name + "/labels")).willReturn(json(201, '{"name":"x"}')))
    api.stubFor(post(urlEqualTo("/repos/acme/" + name + "/issues/1/labels")).willReturn(json(200, "[]")))
    api.stubFor(delete(urlPathMatching("/repos/acme/" + name + "/issues/1/labels/.*")).willReturn(json(200, "[]")))
}
api.stubFor(get(urlEqualTo("/repos/acme/locked")).willReturn(json(401, '{"message":"Bad credentials"}')))

["shop", "locked", "flaky"].each { name ->
    new File(basedir, name + ".yaml").text = """\
id: gh-${name}
objective: "Add unit tests for the payment module"
repository:
  url: origin.git
target:
  include: ["src/service/payment.py"]
  writable: ["tests/**"]
generator:
  command: "python {spec_dir}/characterize.py {file}"
  timeout: 2m
pr:
  provider: github
  labels: [automated, test]
  github:
    api_url: http://localhost:${api.port()}
    repository: acme/${name}
"""
}
return true
