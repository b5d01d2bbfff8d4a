package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.config.SettingsLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --config FILE}, shared by every command that reads the configuration. */
final class ConfigOption {
    static final Path DEFAULT = Path.of("conf", "ferry.conf");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (HOCON). Default: conf/ferry.conf, or built-in defaults when it is"
                    + " missing. Any key can also be set with -Dferry.key=value.")
    Path file;

    FerrySettings load() throws SettingsException {
        return new SettingsLoader().load(file == null ? DEFAULT : file, file != null);
    }
}
