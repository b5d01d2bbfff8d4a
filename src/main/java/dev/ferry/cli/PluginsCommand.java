package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.security.PluginRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code ferry plugins}: the security plugins this agent can use and where each comes from. */
@Command(name = "plugins", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List the security plugins: id, description and source (built-in or JAR).")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        PrintWriter out = spec.commandLine().getOut();
        for (PluginRegistry.Entry entry : registry.entries()) {
            out.printf("%-8s %s [%s]%n", entry.plugin().id(), entry.plugin().description(), entry.source());
        }
        for (String problem : registry.problems()) {
            out.println("problem: " + problem);
        }
        out.flush();
        return registry.problems().isEmpty() ? 0 : 1;
    }
}
