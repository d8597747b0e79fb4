package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact pins of requirements files and pyproject.toml, read and moved in the files' text. */
class DependencyPinsTest {
  @TempDir Path repo;

  private static final String REQUIREMENTS =
      """
      # pinned for the service
      -r base.txt
      --hash=sha256:abc
      Requests[socks] == 2.31.0 ; python_version >= "3.8"  # the HTTP client
      flask>=2.0
      zope.interface==6.1
      attrs==23.1.0\r
      """;

  @Test
  void requirementsPinsAreReadWithTheirNormalisedNames() throws IOException {
    Files.writeString(repo.resolve("requirements-dev.txt"), REQUIREMENTS);
    assertThat(DependencyPins.read(repo, "requirements-dev.txt"))
        .extracting(p -> p.key() + "=" + p.version())
        .containsExactly("requests=2.31.0", "zope-interface=6.1", "attrs=23.1.0");
  }

  @Test
  void aBumpChangesOnlyThatPinsVersionKeepingExtrasMarkersCommentsAndLineEnds() {
    String bumped =
        DependencyPins.bump("requirements.txt", REQUIREMENTS, "requests", "2.31.0", "2.32.3");
    assertThat(bumped)
        .isEqualTo(
            REQUIREMENTS.replace("Requests[socks] == 2.31.0 ;", "Requests[socks] == 2.32.3 ;"));
    assertThat(DependencyPins.bump("requirements.txt", REQUIREMENTS, "attrs", "23.1.0", "24.2.0"))
        .contains("attrs==24.2.0\r\n");
    // a pin already at the new version or past it is not touched
    assertThat(DependencyPins.bump("requirements.txt", REQUIREMENTS, "attrs", "22.0", "23.0.0"))
        .isEqualTo(REQUIREMENTS);
    // every older pin of the package moves, whichever version it held (two markers, two pins)
    String two = "foo==1.0; python_version < \"3.8\"\nfoo==1.5; python_version >= \"3.8\"\n";
    assertThat(DependencyPins.bump("requirements.txt", two, "foo", "1.0", "2.0"))
        .isEqualTo(two.replace("foo==1.0", "foo==2.0").replace("foo==1.5", "foo==2.0"));
  }

  @Test
  void pyprojectPinsComeFromTheProjectsDependenciesExtrasAndGroupsNotTheBuild() throws IOException {
    String toml =
        """
        [build-system]
        requires = ["setuptools==69.0.0"]

        [project]
        name = "svc"
        dependencies = ["httpx==0.27.0", "anyio>=4"]

        [project.optional-dependencies]
        cli = ['click==8.1.7']

        [dependency-groups]
        dev = ["pytest==8.2.0", {include-group = "lint"}]
        lint = ["ruff==0.6.0"]
        """;
    Files.writeString(repo.resolve("pyproject.toml"), toml);
    assertThat(DependencyPins.read(repo, "pyproject.toml"))
        .extracting(p -> p.name() + "=" + p.version())
        .containsExactly("httpx=0.27.0", "click=8.1.7", "pytest=8.2.0", "ruff=0.6.0");
    String bumped = DependencyPins.bump("pyproject.toml", toml, "click", "8.1.7", "8.1.8");
    assertThat(bumped).isEqualTo(toml.replace("'click==8.1.7'", "'click==8.1.8'"));
  }

  @Test
  void poetrysTablesPinWithAnExactVersionAndMoveInTheirOwnLines() throws IOException {
    String toml =
        """
        [tool.poetry]
        name = "svc"
        version = "1.0"

        [tool.poetry.dependencies]
        python = "^3.9"
        requests = "2.31.0"
        Flask = { version = "==3.0.0", extras = ["async"] }
        attrs = "^23.1"

        [tool.poetry.group.dev.dependencies]
        pytest = "8.2.0"
        """;
    Files.writeString(repo.resolve("pyproject.toml"), toml);
    assertThat(DependencyPins.read(repo, "pyproject.toml"))
        .extracting(p -> p.key() + "=" + p.version())
        .containsExactly("requests=2.31.0", "flask=3.0.0", "pytest=8.2.0");
    assertThat(DependencyPins.bump("pyproject.toml", toml, "flask", "3.0.0", "3.1.0"))
        .isEqualTo(toml.replace("\"==3.0.0\"", "\"==3.1.0\""));
    assertThat(DependencyPins.bump("pyproject.toml", toml, "pytest", "8.2.0", "8.3.1"))
        .isEqualTo(toml.replace("pytest = \"8.2.0\"", "pytest = \"8.3.1\""));
    // the project's own version is no dependency
    assertThat(DependencyPins.bump("pyproject.toml", toml, "version", "1.0", "2.0"))
        .isEqualTo(toml);
  }

  @Test
  void aPep621PinWithAQuotedMarkerIsBumped() throws IOException {
    String toml =
        "[project]\ndependencies = [\"httpx==0.27.0; python_version >= '3.8'\", 'a==1 ; os_name == \"nt\"']\n";
    Files.writeString(repo.resolve("pyproject.toml"), toml);
    assertThat(DependencyPins.read(repo, "pyproject.toml"))
        .extracting(p -> p.key() + "=" + p.version())
        .containsExactly("httpx=0.27.0", "a=1");
    assertThat(DependencyPins.bump("pyproject.toml", toml, "httpx", "0.27.0", "0.28.1"))
        .isEqualTo(toml.replace("httpx==0.27.0", "httpx==0.28.1"));
    assertThat(DependencyPins.bump("pyproject.toml", toml, "a", "1", "2"))
        .isEqualTo(toml.replace("a==1 ;", "a==2 ;"));
  }

  @Test
  void aLinkIsNeverReadOrWrittenThrough() throws IOException {
    Path outside = Files.writeString(repo.resolveSibling(repo.getFileName() + "-secret"), "x==1\n");
    Files.createSymbolicLink(repo.resolve("requirements.txt"), outside);
    assertThatThrownBy(() -> DependencyPins.inside(repo, "requirements.txt"))
        .hasMessageContaining("symbolic link");
    Files.createDirectories(repo.resolve("real"));
    Files.createSymbolicLink(repo.resolve("linked"), repo.resolve("real"));
    Files.writeString(repo.resolve("real/requirements.txt"), "x==1\n");
    assertThatThrownBy(() -> DependencyPins.inside(repo, "linked/requirements.txt"))
        .hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> DependencyPins.inside(repo, "../x.txt"))
        .hasMessageContaining("outside");
  }

  @Test
  void declarationFilesAreKnownByName() {
    assertThat(DependencyPins.declares("requirements.txt")).isTrue();
    assertThat(DependencyPins.declares("deps/requirements-test.txt")).isTrue();
    assertThat(DependencyPins.declares("sub/pyproject.toml")).isTrue();
    assertThat(DependencyPins.declares("setup.py")).isFalse();
  }
}
