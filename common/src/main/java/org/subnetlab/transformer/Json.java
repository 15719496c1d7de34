package org.subnetlab.transformer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Strict JSON (Jackson) for {@code config.json} and safetensors headers: objects as
 * insertion-ordered maps, arrays as lists, integral numbers without exponent or fraction as {@link
 * Long} (beyond its range {@link java.math.BigInteger}), other numbers as {@link Double}; strings,
 * booleans and null. Duplicate keys and text after the value are errors. Errors are {@link
 * IllegalArgumentException}s with Jackson's location; callers add the file name.
 */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Json() {}

  /** The value {@code text} holds (nothing but white space may follow it). */
  static Object parse(String text) {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? "" : " at " + e.getLocation().offsetDescription();
      throw new IllegalArgumentException(e.getOriginalMessage() + at, e);
    }
  }
}
