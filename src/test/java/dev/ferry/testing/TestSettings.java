package dev.ferry.testing;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.config.SettingsLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Both agents on loopback under {@code dir} (inbox, outbox), with fast retries and the metrics
     * endpoint on a free port; {@code more} pairs override them.
     */
    public static FerrySettings monitored(Path dir, String... more) {
        List<String> keys = new ArrayList<>(List.of(
                "ferry.server.host", "127.0.0.1",
                "ferry.server.port", "0",
                "ferry.server.inbox", dir.resolve("inbox").toString(),
                "ferry.client.outbox", dir.resolve("outbox").toString(),
                "ferry.client.settle-time", "200ms",
                "ferry.client.retry.initial", "100ms",
                "ferry.client.retry.max", "200ms",
                "ferry.metrics.enabled", "true",
                "ferry.metrics.port", "0"));
        keys.addAll(List.of(more));
        return load(keys.toArray(String[]::new));
    }
}
