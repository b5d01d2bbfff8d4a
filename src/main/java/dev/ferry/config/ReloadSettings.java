package dev.ferry.config;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code ferry.config}: how the agents pick up an edited configuration without a restart,
 * validated. See reference.conf for each key.
 *
 * @param watch whether the agent watches its configuration file (SIGHUP reloads either way)
 * @param debounce how long the file must stay unchanged after an edit before it is read
 */
public record ReloadSettings(boolean watch, Duration debounce) {
    public ReloadSettings {
        Objects.requireNonNull(debounce, "debounce");
    }
}
