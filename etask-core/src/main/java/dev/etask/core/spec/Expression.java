package dev.etask.core.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A boolean condition over metrics, e.g. {@code coverage_delta < -2 or (new_type_errors > 0 and
 * diff_lines > 300)}: metric names, numbers, {@code < <= > >= == !=}, {@code and}, {@code or},
 * {@code not} and parentheses. A comparison with an unknown metric value is false.
 */
public final class Expression {

  /** A syntax error at a 0-based offset into the source text. */
  public static final class ParseException extends Exception {
    private final int offset;

    ParseException(int offset, String message) {
      super(message);
      this.offset = offset;
    }

    public int offset() {
      return offset;
    }
  }

  private sealed interface Node permits Cmp, And, Or, Not {}

  private record Operand(Metric metric, double number) {
    Double value(Function<Metric, Double> metrics) {
      return metric == null ? Double.valueOf(number) : metrics.apply(metric);
    }

    @Override
    public String toString() {
      return metric == null ? Double.toString(number) : metric.key();
    }
  }

  private record Cmp(Operand left, String op, Operand right) implements Node {}

  private record And(Node left, Node right) implements Node {}

  private record Or(Node left, Node right) implements Node {}

  private record Not(Node inner) implements Node {}

  private record Token(String text, int offset, boolean number, boolean word) {}

  private final String source;
  private final Node root;

  private Expression(String source, Node root) {
    this.source = source;
    this.root = root;
  }

  public static Expression parse(String source) throws ParseException {
    Parser p = new Parser(tokenize(source), source.length());
    Node node = p.or();
    if (!p.atEnd()) {
      Token t = p.peek();
      throw new ParseException(
          t.offset, "unexpected '" + t.text + "'; expected 'and', 'or' or the end");
    }
    return new Expression(source, node);
  }

  public String source() {
    return source;
  }

  public boolean test(Map<Metric, Double> metrics) {
    return eval(root, metrics::get);
  }

  private static boolean eval(Node node, Function<Metric, Double> metrics) {
    if (node instanceof And a) {
      return eval(a.left(), metrics) && eval(a.right(), metrics);
    }
    if (node instanceof Or o) {
      return eval(o.left(), metrics) || eval(o.right(), metrics);
    }
    if (node instanceof Not n) {
      return !eval(n.inner(), metrics);
    }
    Cmp c = (Cmp) node;
    Double l = c.left().value(metrics);
    Double r = c.right().value(metrics);
    if (l == null || r == null) {
      return false;
    }
    int cmp = Double.compare(l, r);
    return switch (c.op()) {
      case "<" -> cmp < 0;
      case "<=" -> cmp <= 0;
      case ">" -> cmp > 0;
      case ">=" -> cmp >= 0;
      case "==" -> cmp == 0;
      default -> cmp != 0;
    };
  }

  private static List<Token> tokenize(String s) throws ParseException {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        tokens.add(new Token(String.valueOf(c), i, false, false));
        i++;
      } else if ("<>=!".indexOf(c) >= 0) {
        int start = i;
        i++;
        if (i < s.length() && s.charAt(i) == '=') {
          i++;
        }
        String op = s.substring(start, i);
        if (op.equals("=") || op.equals("!")) {
          throw new ParseException(start, "unknown operator '" + op + "'; use == or !=");
        }
        tokens.add(new Token(op, start, false, false));
      } else if (Character.isDigit(c)
          || c == '.'
          || (c == '-'
              && i + 1 < s.length()
              && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '.'))) {
        int start = i;
        i++;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        String num = s.substring(start, i);
        try {
          Double.parseDouble(num);
        } catch (NumberFormatException e) {
          throw new ParseException(start, "'" + num + "' is not a number");
        }
        tokens.add(new Token(num, start, true, false));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        tokens.add(new Token(s.substring(start, i), start, false, true));
      } else {
        throw new ParseException(i, "unexpected character '" + c + "'");
      }
    }
    return tokens;
  }

  private static final class Parser {
    private final List<Token> tokens;
    private final int end;
    private int pos;

    Parser(List<Token> tokens, int end) {
      this.tokens = tokens;
      this.end = end;
    }

    boolean atEnd() {
      return pos >= tokens.size();
    }

    Token peek() {
      return tokens.get(pos);
    }

    boolean acceptWord(String word) {
      if (!atEnd() && peek().word() && peek().text().equals(word)) {
        pos++;
        return true;
      }
      return false;
    }

    Node or() throws ParseException {
      Node left = and();
      while (acceptWord("or")) {
        left = new Or(left, and());
      }
      return left;
    }

    Node and() throws ParseException {
      Node left = not();
      while (acceptWord("and")) {
        left = new And(left, not());
      }
      return left;
    }

    Node not() throws ParseException {
      if (acceptWord("not")) {
        return new Not(not());
      }
      if (!atEnd() && peek().text().equals("(")) {
        pos++;
        Node inner = or();
        if (atEnd() || !peek().text().equals(")")) {
          throw new ParseException(atEnd() ? end : peek().offset(), "missing ')'");
        }
        pos++;
        return inner;
      }
      Operand left = operand();
      if (atEnd()) {
        throw new ParseException(end, "expected a comparison such as '" + left + " > 0'");
      }
      Token op = peek();
      if (!List.of("<", "<=", ">", ">=", "==", "!=").contains(op.text())) {
        throw new ParseException(
            op.offset(), "expected one of < <= > >= == != but found '" + op.text() + "'");
      }
      pos++;
      return new Cmp(left, op.text(), operand());
    }

    Operand operand() throws ParseException {
      if (atEnd()) {
        throw new ParseException(end, "expected a metric name or a number");
      }
      Token t = tokens.get(pos++);
      if (t.number()) {
        return new Operand(null, Double.parseDouble(t.text()));
      }
      if (t.word()) {
        Metric m = Metric.byKey(t.text());
        if (m == null) {
          throw new ParseException(
              t.offset(),
              "unknown metric '"
                  + t.text()
                  + "'"
                  + Suggest.closest(t.text(), Metric.keys())
                      .map(k -> "; did you mean '" + k + "'?")
                      .orElse("")
                  + " Valid metrics: "
                  + String.join(", ", Metric.keys()));
        }
        return new Operand(m, 0);
      }
      throw new ParseException(
          t.offset(), "expected a metric name or a number but found '" + t.text() + "'");
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
