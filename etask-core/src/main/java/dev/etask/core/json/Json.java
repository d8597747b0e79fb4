package dev.etask.core.json;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON mapper of etask: indented output, unknown properties ignored on reading (a newer
 * etask's state stays readable), and state classes mapped by their fields (so their fields can be
 * private and change only through their methods).
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
          .setVisibility(PropertyAccessor.GETTER, Visibility.NONE)
          .setVisibility(PropertyAccessor.IS_GETTER, Visibility.NONE);

  private Json() {}

  /**
   * Builds the mapper's readers and writers of {@code types} (Jackson introspects a class once, on
   * its first use, in tens of milliseconds): called on a spare thread while a task waits for git or
   * Python, it takes that time off the task's own. A type that cannot be mapped is left for its
   * first use to report.
   */
  public static void warm(Class<?>... types) {
    for (Class<?> type : types) {
      try {
        MAPPER.readerFor(type);
        MAPPER.writerFor(type);
      } catch (RuntimeException e) {
        // said where the type is really used
      }
    }
  }
}
