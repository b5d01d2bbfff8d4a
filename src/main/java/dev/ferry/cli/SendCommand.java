package dev.ferry.cli;

import dev.ferry.config.ClientSettings;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsException;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.PluginRegistry;
import dev.ferry.transfer.Outcome;
import dev.ferry.transfer.Pusher;
import dev.ferry.transfer.SourceFile;
import dev.ferry.wire.ProtocolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ferry send FILE...}: pushes files once, by hand, over one connection with the configured
 * protocol, and says for each whether the server stored it. No outbox and no after-send: the files
 * stay where they are. Exit code 0 when every file was stored (or the server already had it), 1
 * otherwise, 2 for bad usage or configuration. Wiring: the session is {@link Pusher}'s.
 */
@Command(name = "send", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Push files to the server once, with a progress bar on a terminal. The files are left"
                + " where they are; each arrives in the inbox under its own name. Exit code 0 when every file"
                + " was stored, 1 otherwise.")
final class SendCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files to send.")
    List<Path> files;

    @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "The server to push to, instead of ferry.client.server-host and server-port"
                    + " (an IPv6 address in brackets: [::1]:4321).")
    String to;

    @Override
    public Integer call() throws Exception {
        FerrySettings settings = config.load(target());
        ClientSettings client = settings.client();
        if (client.compat()) {
            throw new SettingsException(settings.source() + ": ferry.client.compat = true: ferry send pushes to Ferry"
                    + " servers only; for one of the original programs' servers, drop the files into the client"
                    + " agent's outbox");
        }
        List<SourceFile> sources = sources();
        ClientSecurity security = Agents.clientSecurity(settings, PluginRegistry.load(settings.pluginsDir()));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String server = (client.serverHost().indexOf(':') >= 0 ? "[" + client.serverHost() + "]"
                : client.serverHost()) + ":" + client.serverPort();
        String protocol = settings.security().protocol();
        Pusher pusher;
        try {
            pusher = open(client, protocol, security);
        } catch (IOException e) {
            err.println("ferry: cannot send to " + server + " (protocol " + protocol + "): "
                    + (e instanceof ProtocolException ? e.getMessage() : e.toString()));
            err.flush();
            return 1;
        }
        int delivered = 0;
        try (pusher) {
            PrintWriter terminal = System.console() != null ? err : null;
            for (int i = 0; i < sources.size(); i++) {
                SourceFile source = sources.get(i);
                ProgressBar bar = new ProgressBar(terminal, source.relativeName());
                Outcome outcome;
                try {
                    outcome = pusher.push(source, bar)
                            .get(client.replyTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
                } catch (IOException | ExecutionException | TimeoutException e) {
                    bar.clear();
                    String why = e instanceof ExecutionException ? e.getCause().getMessage() : e.getMessage();
                    out.println(source.relativeName() + ": not delivered: the connection to " + server + " failed: "
                            + why);
                    for (SourceFile rest : sources.subList(i + 1, sources.size())) {
                        out.println(rest.relativeName() + ": not sent");
                    }
                    break;
                }
                bar.clear();
                out.println(source.relativeName() + ": " + describe(source, outcome, bar));
                out.flush();
                if (outcome instanceof Outcome.Stored) {
                    delivered++;
                }
            }
        }
        out.flush();
        if (delivered < sources.size()) {
            err.println("ferry: " + (sources.size() - delivered) + " of " + sources.size()
                    + (sources.size() == 1 ? " file" : " files") + " not delivered to " + server);
            err.flush();
            return 1;
        }
        return 0;
    }

    /** The settings {@code --to} overrides. */
    private Map<String, String> target() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (to == null) {
            return overrides;
        }
        String host = to;
        String port = null;
        if (to.startsWith("[")) {
            int end = to.indexOf(']');
            if (end < 0 || (end + 1 < to.length() && to.charAt(end + 1) != ':')) {
                throw new ParameterException(spec.commandLine(), "--to " + to
                        + ": expected [IPv6]:PORT, e.g. [::1]:4321");
            }
            host = to.substring(1, end);
            port = end + 1 < to.length() ? to.substring(end + 2) : null;
        } else if (to.indexOf(':') >= 0) {
            if (to.indexOf(':') != to.lastIndexOf(':')) {
                throw new ParameterException(spec.commandLine(), "--to " + to
                        + ": write an IPv6 address in brackets, e.g. [::1]:4321");
            }
            host = to.substring(0, to.indexOf(':'));
            port = to.substring(to.indexOf(':') + 1);
        }
        if (host.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--to " + to + ": no host; expected HOST:PORT");
        }
        overrides.put("ferry.client.server-host", host);
        if (port != null) {
            int number;
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65535) {
                throw new ParameterException(spec.commandLine(), "--to " + to + ": the port must be 1 to 65535");
            }
            overrides.put("ferry.client.server-port", Integer.toString(number));
        }
        return overrides;
    }

    /** The files as the session sends them, checked before anything is sent. */
    private List<SourceFile> sources() {
        List<SourceFile> sources = new ArrayList<>();
        for (Path file : files) {
            try {
                Path real = file.toRealPath();
                BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isRegularFile()) {
                    throw new ParameterException(spec.commandLine(), file + " is not a regular file");
                }
                sources.add(new SourceFile(real, file.getFileName().toString(), attributes.size(),
                        attributes.lastModifiedTime().toMillis()));
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), file + " cannot be read: " + e);
            }
        }
        return sources;
    }

    private static Pusher open(ClientSettings client, String protocol, ClientSecurity security) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(client.serverHost(), client.serverPort()),
                    (int) client.connectTimeout().toMillis());
            return Pusher.open(socket, security, new Pusher.Options(client.name(), protocol, client.blockSize(),
                    client.window(), client.replyTimeout(), client.resumeThreshold()));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static String describe(SourceFile source, Outcome outcome, ProgressBar bar) {
        if (outcome instanceof Outcome.Stored stored) {
            if (stored.duplicate()) {
                return "the server already had it (stored as " + stored.storedName() + ")";
            }
            return "stored as " + stored.storedName() + ", " + ProgressBar.bytes(source.size()) + " in "
                    + ProgressBar.human(bar.elapsed()) + " (" + ProgressBar.bytes(bar.rate()) + "/s)";
        } else if (outcome instanceof Outcome.Refused refused) {
            return "not delivered: the server refused it (" + refused.status() + "): " + refused.reason();
        } else if (outcome instanceof Outcome.Unreadable unreadable) {
            return "not delivered: it cannot be read: " + unreadable.reason();
        } else if (outcome instanceof Outcome.Changed changed) {
            return "not delivered: " + changed.what() + "; send it again once it is complete";
        }
        throw new IllegalStateException("unknown outcome " + outcome);
    }
}
