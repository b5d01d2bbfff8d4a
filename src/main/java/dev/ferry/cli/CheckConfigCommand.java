package dev.ferry.cli;

import com.typesafe.config.ConfigRenderOptions;
import dev.ferry.config.FerrySettings;
import dev.ferry.security.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ferry check-config}: loads and validates the configuration and prints the effective settings. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Load and validate the configuration, then print the effective settings.")
final class CheckConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        Set<String> protocols = new LinkedHashSet<>(settings.server().accept());
        protocols.add(settings.security().protocol());
        for (String id : protocols) {
            registry.get(id);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("# configuration is valid; source: " + settings.source());
        out.println("# client name: " + settings.client().name());
        out.print("ferry ");
        out.println(settings.config().getConfig("ferry").root().render(ConfigRenderOptions.defaults()
                .setOriginComments(false).setComments(false).setJson(false)));
        out.flush();
        return 0;
    }
}
