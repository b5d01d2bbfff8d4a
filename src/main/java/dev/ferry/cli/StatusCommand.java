package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.MetricsSettings;
import dev.ferry.metrics.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code ferry status}: a short summary of the running agent, read from its metrics endpoint
 * ({@code ferry.metrics.host} and {@code port} of the configuration). Exit code 0 when it is
 * healthy, 1 when it is degraded or cannot be reached.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Summarise the running agent (queue, deliveries, errors, health) from its metrics endpoint"
                + " (needs ferry.metrics.enabled = true). Exit code 0 when healthy, 1 when degraded or not reachable.")
final class StatusCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load();
        MetricsSettings metrics = settings.metrics();
        StatusReport report;
        try {
            report = StatusReport.fetch(metrics.host(), metrics.port(), TIMEOUT);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + (metrics.enabled() ? ""
                    : " (ferry.metrics.enabled is false in " + settings.source() + ")"), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        report.lines(Instant.now()).forEach(out::println);
        out.flush();
        return report.health().ok() ? 0 : 1;
    }
}
