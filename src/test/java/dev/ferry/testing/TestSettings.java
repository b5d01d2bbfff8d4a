package dev.ferry.testing;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.config.SettingsLoader;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** Real settings (reference.conf defaults) with test overrides, as {@code -D} keys would give them. */
public final class TestSettings {
    private TestSettings() {
    }

    /**
     * @param overrides pairs of key and value, e.g. {@code "ferry.server.inbox", dir.toString()};
     *                  the protocol is plain unless they say otherwise
     */
    public static FerrySettings load(String... overrides) {
        Properties properties = new Properties();
        properties.setProperty("ferry.security.protocol", "plain");
        for (int i = 0; i < overrides.length; i += 2) {
            properties.setProperty(overrides[i], overrides[i + 1]);
        }
        try {
            return new SettingsLoader(Map.of(), properties, () -> "test-client")
                    .load(Path.of("does-not-exist.conf"), false);
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
