package dev.ferry.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigMemorySize;
import com.typesafe.config.ConfigValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed reads that turn every failure into a message naming the origin, key, value and rule.
 * Reads one resolved {@link Config}, in which every key read is defined (by {@code reference.conf}
 * at least); each read throws {@link SettingsException} for a value of the wrong type or out of range.
 */
final class ConfigValues {
    /** A protocol id as {@code ferry.security.protocol} and {@code ferry.server.accept} name one. */
    private static final String PROTOCOL_ID = "[a-z0-9][a-z0-9_-]*";

    private final Config config;

    ConfigValues(Config config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    SettingsException bad(String key, String rule) {
        ConfigValue value = config.getValue(key);
        return new SettingsException(value.origin().description() + ": " + key + " = "
                + value.render() + ": " + rule);
    }

    String string(String key) throws SettingsException {
        try {
            return config.getString(key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be a string");
        }
    }

    /** A host name or IP address to listen on: not empty, no spaces, no scheme or port. */
    String address(String key) throws SettingsException {
        String value = string(key).trim();
        if (value.isEmpty() || !value.matches("[A-Za-z0-9.:_-]+") || value.contains("://")) {
            throw bad(key, "must be an address to listen on, such as 127.0.0.1, ::1 or 0.0.0.0");
        }
        return value;
    }

    String token(String key) throws SettingsException {
        String value = string(key);
        if (!value.matches(PROTOCOL_ID)) {
            throw bad(key, "must be a protocol id such as plain or cp2 (lower case letters, digits, - or _)");
        }
        return value;
    }

    List<String> strings(String key) throws SettingsException {
        try {
            return config.getStringList(key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be a list of strings, e.g. [\"a\", \"b\"]");
        }
    }

    List<String> tokens(String key) throws SettingsException {
        List<String> values = strings(key);
        for (String value : values) {
            if (!value.matches(PROTOCOL_ID)) {
                throw bad(key, "'" + value + "' is not a protocol id such as plain or cp2");
            }
        }
        return values;
    }

    Path path(String key) throws SettingsException {
        String value = string(key);
        if (value.isBlank()) {
            throw bad(key, "must be a folder path");
        }
        return Path.of(value);
    }

    Optional<Path> optionalPath(String key) throws SettingsException {
        String value = string(key).trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
    }

    boolean bool(String key) throws SettingsException {
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be true or false");
        }
    }

    int intRange(String key, int min, int max) throws SettingsException {
        try {
            int value = config.getInt(key);
            if (value < min || value > max) {
                throw bad(key, "must be between " + min + " and " + max);
            }
            return value;
        } catch (ConfigException.WrongType e) {
            throw bad(key, "must be a whole number between " + min + " and " + max);
        }
    }

    long bytes(String key, long min, long max) throws SettingsException {
        try {
            ConfigMemorySize size = config.getMemorySize(key);
            long value = size.toBytes();
            if (value < min || value > max) {
                throw bad(key, "must be between " + min + " and " + max + " bytes");
            }
            return value;
        } catch (ConfigException.BadValue | ConfigException.WrongType | IllegalArgumentException e) {
            throw bad(key, "must be a size such as 512 KiB, 16 MiB or 64 GiB");
        }
    }

    Duration duration(String key, Duration min, Duration max) throws SettingsException {
        try {
            Duration value = config.getDuration(key);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw bad(key, "must be between " + human(min) + " and " + human(max));
            }
            return value;
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw bad(key, "must be a duration such as 500ms, 10s or 5m");
        }
    }

    private static String human(Duration d) {
        if (d.toMillis() % 1000 != 0 || d.isZero()) {
            return d.toMillis() + "ms";
        }
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    <E extends Enum<E>> E choice(String key, Class<E> type) throws SettingsException {
        String value = string(key);
        for (E constant : type.getEnumConstants()) {
            if (configName(constant).equals(value)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(configName(constant));
        }
        throw bad(key, "must be one of " + String.join(", ", allowed));
    }

    /** How a setting spells an enum constant: lower case, {@code _} as {@code -} ({@code RENAME}: {@code rename}). */
    private static String configName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
