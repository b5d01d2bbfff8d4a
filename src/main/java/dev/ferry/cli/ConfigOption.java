package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.config.SettingsLoader;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code --config FILE}, shared by every command that reads the configuration. */
final class ConfigOption {
    static final Path DEFAULT = Path.of("conf", "ferry.conf");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (HOCON). Default: conf/ferry.conf, or built-in defaults when it is"
                    + " missing. Any key can also be set with -Dferry.key=value.")
    Path file;

    /** The configuration file the settings come from, or null when the built-in defaults are used. */
    Path existingFile() {
        Path path = file == null ? DEFAULT : file;
        return Files.exists(path) ? path : null;
    }

    FerrySettings load() throws SettingsException {
        return load(Map.of());
    }

    /** Loads with {@code overrides} taking precedence over every other source, {@code -D} included. */
    FerrySettings load(Map<String, String> overrides) throws SettingsException {
        return new SettingsLoader().overriding(overrides).load(file == null ? DEFAULT : file, file != null);
    }
}
