package dev.etask.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentsTest {
  @TempDir Path tmp;

  private Environments env(Map<String, String> caller) {
    return new Environments(caller, tmp.resolve("task-home"));
  }

  private static final Map<String, String> CALLER =
      Map.ofEntries(
          Map.entry("PATH", "/usr/bin:/bin"),
          Map.entry("LANG", "C.UTF-8"),
          Map.entry("LC_ALL", "C.UTF-8"),
          Map.entry("HOME", "/home/someone"),
          Map.entry("GITHUB_TOKEN", "ghp_canary0000000000"),
          Map.entry("AWS_SECRET_ACCESS_KEY", "aws-canary-1234567890"),
          Map.entry("OPENAI_API_KEY", "sk-canary-abcdefgh"),
          Map.entry("TOKENIZERS_PARALLELISM", "false"),
          Map.entry("PIP_INDEX_URL", "https://bob:pip%2Fcanary@pypi.example/simple"),
          Map.entry("PIP_DEFAULT_TIMEOUT", "60"),
          Map.entry("HTTPS_PROXY", "http://proxy:3128"),
          Map.entry("UV_CACHE_DIR", "/cache/uv"),
          Map.entry("MAVEN_OPTS", "-Xmx1g"),
          Map.entry("JAVA_HOME", "/jdk"));

  @Test
  void everyChildGetsAnAllowlistWithItsOwnHome() {
    Map<String, String> base = env(CALLER).base();
    assertThat(base)
        .containsEntry("PATH", "/usr/bin:/bin")
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("LC_ALL", "C.UTF-8")
        .containsEntry("HOME", tmp.resolve("task-home").toString());
    assertThat(base)
        .doesNotContainKeys(
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "OPENAI_API_KEY",
            "PIP_INDEX_URL",
            "MAVEN_OPTS",
            "JAVA_HOME",
            "HTTPS_PROXY");
  }

  @Test
  void theGeneratorAndTheGatesGetOnlyTheNamesTheSpecGivesAndNeverAToken() {
    Environments e = env(CALLER);
    assertThat(e.forGenerator(List.of("OPENAI_API_KEY", "GITHUB_TOKEN", "UNSET")))
        .containsKey("OPENAI_API_KEY")
        .doesNotContainKeys("GITHUB_TOKEN", "UNSET", "AWS_SECRET_ACCESS_KEY");
    assertThat(e.forGates(List.of()))
        .doesNotContainKeys("OPENAI_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN");
    assertThat(e.forGates(List.of("TOKENIZERS_PARALLELISM")))
        .containsEntry("TOKENIZERS_PARALLELISM", "false");
  }

  @Test
  void theEnvironmentBuildKeepsPipAndUvSettingsTheUsersConfigFilesAndCaches() throws Exception {
    Path userHome = tmp.resolve("user");
    Files.createDirectories(userHome.resolve(".config/pip"));
    Files.writeString(
        userHome.resolve(".config/pip/pip.conf"),
        "[global]\nindex-url = https://al:conf-canary-9@idx/simple\n");
    Map<String, String> caller = new java.util.HashMap<>(CALLER);
    caller.put("HOME", userHome.toString());
    Map<String, String> install = env(caller).forInstall();
    assertThat(install)
        .containsEntry("PIP_INDEX_URL", CALLER.get("PIP_INDEX_URL"))
        .containsEntry("PIP_DEFAULT_TIMEOUT", "60")
        .containsEntry("HTTPS_PROXY", "http://proxy:3128")
        .containsEntry("PIP_CONFIG_FILE", userHome.resolve(".config/pip/pip.conf").toString())
        .containsEntry("UV_CACHE_DIR", "/cache/uv")
        .containsEntry("PIP_CACHE_DIR", userHome.resolve(".cache/pip").toString())
        .containsEntry("HOME", tmp.resolve("task-home").toString());
    assertThat(install).doesNotContainKeys("GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "UV_LINK_MODE");
    // without a sandbox uv copies every file: a hard link would lead a test's write into uv's cache
    assertThat(env(caller).copyingInstalls().forInstall()).containsEntry("UV_LINK_MODE", "copy");
    // Maven's -o: uv installs from its cache only, pip asks no index
    assertThat(install).doesNotContainKeys("UV_OFFLINE", "PIP_NO_INDEX");
    assertThat(env(caller).offline().forInstall())
        .containsEntry("UV_OFFLINE", "1")
        .containsEntry("PIP_NO_INDEX", "1");

    Redactor r = Redactor.none();
    env(caller).registerSecrets(r);
    assertThat(
            r.redact(
                "ghp_canary0000000000 aws-canary-1234567890 sk-canary-abcdefgh pip/canary conf-canary-9"))
        .isEqualTo("**** **** **** **** ****");
    assertThat(r.redact("TOKENIZERS_PARALLELISM=false")).isEqualTo("TOKENIZERS_PARALLELISM=false");
  }

  @Test
  void credentialsAnywhereInATextAreFound() {
    Redactor r = Redactor.none();
    Environments.registerUrlCredentials(
        """
        python:
          install: ["--extra-index-url https://deploy:idx-t0ken-99@pypi.corp.example/simple", "-r requirements.txt"]
        repository: { url: "https://x-access-token:ghs_abcdefgh123@github.com/o/r.git" }
        """,
        r);
    assertThat(r.redact("idx-t0ken-99 ghs_abcdefgh123 deploy")).isEqualTo("**** **** deploy");
  }

  @Test
  void aTokenNeverReachesAChildWhateverTheVariableIsCalled() {
    Map<String, String> caller = new java.util.HashMap<>(CALLER);
    caller.put("MY_GH_PAT", "ghp_canary0000000000"); // the same value as GITHUB_TOKEN
    caller.put("NEXUS_PW", "settings-server-pw");
    caller.put("HARMLESS", "fine");
    Environments e = env(caller).neverPass(java.util.List.of("settings-server-pw"));
    assertThat(
            e.forGenerator(java.util.List.of("MY_GH_PAT", "NEXUS_PW", "HARMLESS", "GITHUB_TOKEN")))
        .containsEntry("HARMLESS", "fine")
        .doesNotContainKeys("MY_GH_PAT", "NEXUS_PW", "GITHUB_TOKEN");
    assertThat(e.forGates(java.util.List.of("MY_GH_PAT"))).doesNotContainKey("MY_GH_PAT");
  }
}
