package io.loadshift.vtn.platform.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Typed, validated reads of {@code VTN_*} variables; every failure names the variable. */
final class Env {
  private final Map<String, String> vars;

  Env(Map<String, String> vars) {
    this.vars = vars;
  }

  Optional<String> optional(String name) {
    String v = vars.get(name);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(v.trim());
  }

  String string(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  int integer(String name, int fallback, int min, int max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw.get());
      if (v < min || v > max) {
        throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "must be an integer, got '" + raw.get() + "'");
    }
  }

  long bytes(String name, long fallback, long min, long max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    String s = raw.get().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (s.endsWith("KIB") || s.endsWith("K")) {
      unit = 1024;
    } else if (s.endsWith("MIB") || s.endsWith("M")) {
      unit = 1024 * 1024;
    }
    String digits = s.replaceAll("[A-Z]+$", "");
    try {
      long v = Long.parseLong(digits) * unit;
      if (v < min || v > max) {
        throw new ConfigException(name, "must be between " + min + " and " + max + " bytes, got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "must be a size such as 1048576, 512K or 1M, got '" + raw.get() + "'");
    }
  }

  double decimal(String name, double fallback, double min, double max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      double v = Double.parseDouble(raw.get());
      if (!(v >= min && v <= max)) {
        throw new ConfigException(name, "must be between " + min + " and " + max + ", got " + raw.get());
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "must be a number, got '" + raw.get() + "'");
    }
  }

  boolean bool(String name, boolean fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "1": case "on":
        return true;
      case "false": case "no": case "0": case "off":
        return false;
      default:
        throw new ConfigException(name, "must be true or false, got '" + raw.get() + "'");
    }
  }

  <E extends Enum<E>> E enumeration(String name, Class<E> type, E fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, raw.get().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E c : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
      }
      throw new ConfigException(name, "must be one of " + allowed + ", got '" + raw.get() + "'");
    }
  }

  URI httpUrl(String name, String fallback) {
    String raw = string(name, fallback);
    try {
      URI uri = new URI(raw);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException(name, "must be an absolute http(s) URL, got '" + raw + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(name, "must be an absolute http(s) URL, got '" + raw + "'");
    }
  }

  Optional<Path> readableFile(String name) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    Path p = Path.of(raw.get());
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new ConfigException(name, "file '" + raw.get() + "' does not exist or is not readable");
    }
    return Optional.of(p);
  }
}
