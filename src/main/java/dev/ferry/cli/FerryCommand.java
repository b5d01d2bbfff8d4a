package dev.ferry.cli;

import picocli.CommandLine.Command;

/** The top of the command tree: {@code ferry <command>}. */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Secure watched-folder file transfer: a client agent pushes every file dropped into its"
                + " outbox to a server agent, which stores it in its inbox.",
        subcommands = {
                ServerCommand.class,
                ClientCommand.class,
                LocalCommand.class,
                SendCommand.class,
                StatusCommand.class,
                CheckConfigCommand.class,
                PluginsCommand.class,
                CertsCommand.class,
                picocli.CommandLine.HelpCommand.class
        })
final class FerryCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: server, client, local,"
                + " send, status, certs, check-config or plugins");
    }
}
