package dev.ferry.cli;

import dev.ferry.config.SettingsException;
import dev.ferry.security.SecuritySetupException;
import picocli.CommandLine;

import java.io.IOException;

/**
 * The {@code ferry} command. The one place where exceptions become exit codes: 0 normal stop,
 * 2 bad usage or invalid configuration, 1 any other fatal error.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new FerryCommand());
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof SettingsException || e instanceof SecuritySetupException) {
                cl.getErr().println("ferry: invalid configuration: " + e.getMessage());
                return 2;
            }
            if (e instanceof IOException) {
                cl.getErr().println("ferry: " + e.getMessage());
                return 1;
            }
            cl.getErr().println("ferry: unexpected error:");
            e.printStackTrace(cl.getErr());
            return 1;
        });
        return commandLine.execute(args);
    }
}
