package dev.etask.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void starStaysInsideAFolder() {
    Glob g = Glob.compile("src/*.py");
    assertThat(g.matches("src/a.py")).isTrue();
    assertThat(g.matches("src/pkg/a.py")).isFalse();
  }

  @Test
  void doubleStarCrossesFoldersAndMatchesNone() {
    Glob g = Glob.compile("**/test_*.py");
    assertThat(g.matches("test_a.py")).isTrue();
    assertThat(g.matches("tests/unit/test_a.py")).isTrue();
    assertThat(g.matches("tests/unit/a_test.py")).isFalse();
    assertThat(Glob.compile("tests/**").matches("tests/a/b/c.py")).isTrue();
    assertThat(Glob.compile("tests/**").matches("src/tests/x.py")).isFalse();
  }

  @Test
  void classesAlternativesAndLiterals() {
    assertThat(Glob.compile("src/{a,b}.py").matches("src/b.py")).isTrue();
    assertThat(Glob.compile("src/{a,b}.py").matches("src/c.py")).isFalse();
    assertThat(Glob.compile("src/[!a]?.py").matches("src/bc.py")).isTrue();
    assertThat(Glob.compile("src/[!a]?.py").matches("src/ac.py")).isFalse();
    assertThat(Glob.compile("a+b(1).py").matches("a+b(1).py")).isTrue();
  }

  @Test
  void invalidGlobsSayWhy() {
    assertThatThrownBy(() -> Glob.compile("src/[ab"))
        .hasMessageContaining("without its closing ']'");
    assertThatThrownBy(() -> Glob.compile("src/{a,b"))
        .hasMessageContaining("without its closing '}'");
    assertThatThrownBy(() -> Glob.compile("/abs/*.py")).hasMessageContaining("absolute");
    assertThatThrownBy(() -> Glob.compile("../x/*.py")).hasMessageContaining("climbs out");
    assertThatThrownBy(() -> Glob.compile(" ")).hasMessageContaining("empty");
  }
}
