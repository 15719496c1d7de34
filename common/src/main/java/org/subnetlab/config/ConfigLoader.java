package org.subnetlab.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads an experiment file plus {@code key=value} overrides on top of the {@code subnetlab} block
 * of {@code reference.conf}, rejecting unknown keys and wrong types by name before any work starts.
 */
public final class ConfigLoader {
  /** Root of subnetlab's keys in reference.conf. */
  public static final String ROOT = "subnetlab";

  private ConfigLoader() {}

  /** Reads, merges and validates; the result is the validated settings. */
  public static Settings load(Path file, List<String> overrides) {
    return new Settings(loadConfig(file, overrides));
  }

  /** Reads and merges, checking keys and types; returns the {@code subnetlab} subtree. */
  public static Config loadConfig(Path file, List<String> overrides) {
    if (file == null) {
      throw new BadInputException("No config file given.");
    }
    String unreadable = RegularFiles.problem(file);
    if (unreadable != null) {
      throw new BadInputException("Cannot read config file " + file + ": " + unreadable + ".");
    }
    Config user;
    try {
      user =
          ConfigFactory.parseFile(
              file.toFile(),
              ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    } catch (ConfigException e) {
      throw new BadInputException("Cannot parse config file " + file + ": " + e.getMessage(), e);
    }
    Config merged = user;
    List<Map.Entry<String, Config>> sets = new ArrayList<>();
    for (String override : overrides) {
      Config parsed = parseOverride(override);
      sets.add(Map.entry(override, parsed));
      merged = parsed.withFallback(merged);
    }
    Config reference = ConfigFactory.defaultReference().getConfig(ROOT);
    try {
      merged = merged.resolve();
    } catch (ConfigException e) {
      throw new BadInputException("Cannot resolve config " + file + ": " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    List<String> fromSet = new ArrayList<>();
    checkKeys(merged.root(), reference.root(), "", sets, problems, fromSet);
    if (!problems.isEmpty()) {
      String what =
          fromSet.size() == problems.size()
              ? (fromSet.size() == 1 ? "Invalid --set option" : "Invalid --set options")
              : "Invalid config " + file;
      throw new BadInputException(what + ":\n  " + String.join("\n  ", problems));
    }
    return merged.withFallback(reference).resolve();
  }

  /** Parses one {@code key=value} override; the value is HOCON (a number, string, list, ...). */
  static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new BadInputException(
          "Cannot apply --set " + override + ": must be key=value, e.g. masks.seeds=[0,1].");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    try {
      return ConfigFactory.parseString(key + " = " + value);
    } catch (ConfigException e) {
      throw new BadInputException("Cannot apply --set " + override + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks the keys of {@code user} against {@code reference}; a problem of a key that a {@code
   * --set} option gave (the last one that gave it wins) names that option, any other the config
   * file and line, and is also added to {@code fromSet}.
   */
  private static void checkKeys(
      ConfigObject user,
      ConfigObject reference,
      String prefix,
      List<Map.Entry<String, Config>> sets,
      List<String> problems,
      List<String> fromSet) {
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      ConfigValue ref = reference.get(e.getKey());
      ConfigValue val = e.getValue();
      String set = setOption(sets, prefix, e.getKey());
      String origin = set != null ? "--set " + set : origin(val);
      int before = problems.size();
      if (ref == null) {
        problems.add("unknown key " + path + " (" + origin + "); see reference.conf");
        if (set != null) {
          fromSet.add(path);
        }
        continue;
      }
      if (ref.valueType() == ConfigValueType.OBJECT) {
        if (val.valueType() != ConfigValueType.OBJECT) {
          problems.add(
              "key " + path + " = " + val.render() + " must be an object (" + origin + ")");
        } else if (((ConfigObject) ref).isEmpty()) {
          continue; // an empty object in reference.conf is a free-form map (task.images.groups)
        } else {
          checkKeys((ConfigObject) val, (ConfigObject) ref, path, sets, problems, fromSet);
          continue;
        }
      } else if (val.valueType() == ConfigValueType.OBJECT) {
        problems.add(
            "key "
                + path
                + " must be a "
                + ref.valueType().name().toLowerCase()
                + ", got an object ("
                + origin
                + ")");
      }
      if (set != null && problems.size() > before) {
        fromSet.add(path);
      }
    }
  }

  /** The last {@code --set} option that gave the key {@code prefix.key}, or null. */
  private static String setOption(List<Map.Entry<String, Config>> sets, String prefix, String key) {
    String path =
        prefix.isEmpty() ? ConfigUtil.joinPath(key) : prefix + "." + ConfigUtil.joinPath(key);
    for (int i = sets.size() - 1; i >= 0; i--) {
      try {
        if (sets.get(i).getValue().hasPathOrNull(path)) {
          return sets.get(i).getKey();
        }
      } catch (ConfigException ignored) {
        // a path the override cannot hold: not from this option
      }
    }
    return null;
  }

  private static String origin(ConfigValue v) {
    String d = v.origin().description();
    return d == null ? "?" : d.replace(new File(".").getAbsolutePath().replace("/.", "/"), "");
  }
}
