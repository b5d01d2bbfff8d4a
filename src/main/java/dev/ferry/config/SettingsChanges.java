package dev.ferry.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code ferry.} keys whose effective value differs between two loads of the settings, every
 * source counted (file, environment, {@code -D}, defaults), in key order, and the key and
 * certificate files whose content changed at the same path ({@link SecurityFiles}). Values are
 * shown for the log, except those of keys whose name says they hold a secret.
 *
 * @param changes the keys that differ, with their values before and after
 */
public record SettingsChanges(List<Change> changes) {
    /** Keys whose value is never logged, should a plugin's settings hold one. */
    private static final Pattern SECRET = Pattern.compile(".*(password|passphrase|secret|token).*");

    /** Keys that cannot change while the agent runs: they take effect at its next start. */
    private static final List<String> AT_RESTART = List.of("ferry.metrics.");

    /**
     * One changed key.
     *
     * @param key the full key, e.g. {@code ferry.security.protocol}
     * @param before the value before, rendered; null when the key was not set
     * @param after the value after, rendered; null when the key is no longer set
     */
    public record Change(String key, String before, String after) {
        public Change {
            Objects.requireNonNull(key, "key");
        }

        /**
         * {@code key (before -> after)}; only the key when the value is a secret; {@code key (file
         * content changed)} when the value is the same path to a file with new content.
         */
        @Override
        public String toString() {
            if (SECRET.matcher(key).matches()) {
                return key;
            }
            if (Objects.equals(before, after)) {
                return key + " (file content changed)";
            }
            return key + " (" + (before == null ? "unset" : before) + " -> " + (after == null ? "unset" : after) + ")";
        }

        /** Whether this key takes effect only at the agent's next start. */
        public boolean atRestart() {
            return AT_RESTART.stream().anyMatch(key::startsWith);
        }
    }

    public SettingsChanges {
        changes = List.copyOf(changes);
    }

    /** What changed from {@code running} to {@code next}, the settings' values only. */
    public static SettingsChanges between(FerrySettings running, FerrySettings next) {
        return between(running, SecurityFiles.NONE, next, SecurityFiles.NONE);
    }

    /**
     * What changed from {@code running} to {@code next}: the settings' values, and the content of
     * the key and certificate files at unchanged paths, as read when each was loaded.
     */
    public static SettingsChanges between(FerrySettings running, SecurityFiles runningFiles, FerrySettings next,
                                          SecurityFiles nextFiles) {
        Map<String, String> before = values(running.config());
        Map<String, String> after = values(next.config());
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<Change> changes = new ArrayList<>();
        for (String key : keys) {
            String was = before.get(key);
            String is = after.get(key);
            if (!Objects.equals(was, is)) {
                changes.add(new Change(key, was, is));
            } else if (runningFiles.digests().containsKey(key) && nextFiles.digests().containsKey(key)
                    && !runningFiles.digests().get(key).equals(nextFiles.digests().get(key))) {
                changes.add(new Change(key, was, is));
            }
        }
        return new SettingsChanges(changes);
    }

    private static Map<String, String> values(Config config) {
        Map<String, String> values = new TreeMap<>();
        if (config.hasPath("ferry")) {
            for (Map.Entry<String, ConfigValue> entry : config.getConfig("ferry").entrySet()) {
                ConfigValue value = entry.getValue();
                values.put("ferry." + entry.getKey(), value.valueType() == ConfigValueType.STRING
                        ? (String) value.unwrapped() : value.render(ConfigRenderOptions.concise()));
            }
        }
        return values;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Whether any changed key starts with {@code prefix}. */
    public boolean any(String prefix) {
        return changes.stream().anyMatch(change -> change.key().startsWith(prefix));
    }

    /** The changes, comma-separated, for the log. */
    @Override
    public String toString() {
        return changes.stream().map(Change::toString).collect(Collectors.joining(", "));
    }
}
