package dev.etask.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionTest {
  private static Map<Metric, Double> metrics() {
    Map<Metric, Double> m = new EnumMap<>(Metric.class);
    m.put(Metric.COVERAGE_DELTA, -2.5);
    m.put(Metric.DIFF_LINES, 120.0);
    m.put(Metric.NEW_TYPE_ERRORS, 0.0);
    return m;
  }

  private static boolean eval(String s) throws Exception {
    return Expression.parse(s).test(metrics());
  }

  @Test
  void comparisons() throws Exception {
    assertThat(eval("coverage_delta < -2")).isTrue();
    assertThat(eval("coverage_delta <= -2.5")).isTrue();
    assertThat(eval("coverage_delta > -2")).isFalse();
    assertThat(eval("diff_lines >= 120")).isTrue();
    assertThat(eval("diff_lines == 120")).isTrue();
    assertThat(eval("diff_lines != 120")).isFalse();
    assertThat(eval("100 < diff_lines")).isTrue();
  }

  @Test
  void logicAndPrecedence() throws Exception {
    assertThat(eval("diff_lines > 300 or coverage_delta < 0 and new_type_errors == 0")).isTrue();
    assertThat(eval("(diff_lines > 300 or coverage_delta < 0) and new_type_errors > 0")).isFalse();
    assertThat(eval("not new_type_errors > 0")).isTrue();
    assertThat(eval("not (diff_lines > 1 and coverage_delta < 0)")).isFalse();
  }

  @Test
  void unknownValueMakesTheComparisonFalse() throws Exception {
    assertThat(eval("diff_coverage < 50")).isFalse();
    assertThat(eval("not diff_coverage < 50")).isTrue();
  }

  @Test
  void malformedExpressionsPointAtTheProblem() {
    assertThatThrownBy(() -> Expression.parse("coverage_delta <"))
        .isInstanceOfSatisfying(
            Expression.ParseException.class, e -> assertThat(e.offset()).isEqualTo(16));
    assertThatThrownBy(() -> Expression.parse("coverage_delta = 1"))
        .hasMessageContaining("use == or !=");
    assertThatThrownBy(() -> Expression.parse("(coverage_delta < 1"))
        .hasMessageContaining("missing ')'");
    assertThatThrownBy(() -> Expression.parse("coverage_delta < 1 extra"))
        .hasMessageContaining("unexpected 'extra'");
    assertThatThrownBy(() -> Expression.parse("coverage_delta"))
        .hasMessageContaining("expected a comparison");
    assertThatThrownBy(() -> Expression.parse("lines > 3"))
        .isInstanceOfSatisfying(
            Expression.ParseException.class, e -> assertThat(e.offset()).isZero());
    assertThatThrownBy(() -> Expression.parse("diff_lines > 1.2.3"))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> Expression.parse("diff_lines > $"))
        .hasMessageContaining("unexpected character '$'");
  }
}
