package dev.etask.core.spec;

/**
 * An OpenAI-compatible endpoint as a spec gives it ({@code generator.llm}, {@code
 * pr.semantic_review}): base_url (http or https, no credentials), model, api_key_env (a variable's
 * name, never the key), max_tokens, temperature.
 */
final class LlmSettings {
  private LlmSettings() {}

  static TaskSpec.Llm read(YamlSection llm, String where, SpecProblems problems) {
    llm.allow("base_url", "model", "api_key_env", "max_tokens", "temperature");
    String url = llm.string("base_url", "https://api.openai.com/v1");
    if (!url.matches("https?://[^\\s/@]+(/\\S*)?")) {
      problems.error(
          llm.valueNode("base_url"),
          "'"
              + where
              + ".base_url' must be an http(s) URL of an OpenAI-compatible API without"
              + " credentials, such as https://api.openai.com/v1 (the key goes in the variable"
              + " api_key_env names)");
    }
    String model = llm.string("model", null);
    if (model == null || model.isBlank()) {
      llm.missing("model", "the model to ask, e.g. gpt-4o-mini");
    }
    String keyEnv = llm.string("api_key_env", "OPENAI_API_KEY");
    if (!keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      problems.error(
          llm.valueNode("api_key_env"),
          "'"
              + where
              + ".api_key_env' is the NAME of the environment variable holding the key"
              + " (e.g. OPENAI_API_KEY), never the key itself");
    }
    double temperature = llm.number("temperature", 0.2);
    if (temperature < 0 || temperature > 2) {
      problems.error(
          llm.valueNode("temperature"),
          "'" + where + ".temperature' must be between 0 and 2 but is " + temperature);
    }
    return new TaskSpec.Llm(
        url.replaceAll("/+$", ""),
        model,
        keyEnv,
        llm.integer("max_tokens", 4096, 16, 1_000_000),
        temperature);
  }
}
