package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What etask wrote of each gate report, as state.json keeps it (its keys inline there): a report or
 * its coverage data that no longer matches its SHA-256 is not trusted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ReportSums {
  private Map<String, String> reportSums = new LinkedHashMap<>();

  /** SHA-256 of the coverage data behind a report ({@code <name>.coverage}). */
  private Map<String, String> coverageSums = new LinkedHashMap<>();

  /**
   * The clone a report's coverage data was recorded in, when not this one (a baseline from the
   * shared cache): its file names are moved to this clone by the first measurement that reads it.
   */
  private Map<String, String> coverageRoots = new LinkedHashMap<>();

  public String report(String name) {
    return reportSums.get(name);
  }

  public Map<String, String> reports() {
    return java.util.Collections.unmodifiableMap(reportSums);
  }

  public String coverage(String name) {
    return coverageSums.get(name);
  }

  /** The clone report {@code name}'s data was recorded in, or null: this one. */
  public String root(String name) {
    return coverageRoots.get(name);
  }

  /** Report {@code name} written with {@code sum}, its coverage data recorded in this clone. */
  public void written(String name, String sum) {
    reportSums.put(name, sum);
    coverageRoots.remove(name);
  }

  /** The coverage data behind report {@code name} has {@code coverage} (null: there is none). */
  public void coverageWritten(String name, String coverage) {
    if (coverage != null) {
      coverageSums.put(name, coverage);
    } else {
      coverageSums.remove(name);
    }
  }

  /** Report {@code name}'s coverage data was recorded in the clone at {@code root}. */
  public void recordedIn(String name, String root) {
    coverageRoots.put(name, root);
  }
}
