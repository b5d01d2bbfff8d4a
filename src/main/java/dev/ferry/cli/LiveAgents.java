package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SecurityFiles;
import dev.ferry.config.SettingsChanges;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecuritySetupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The agents of one process (the server, the client, or both for {@code ferry local}), each
 * replaced by a new one when new settings change a key it depends on.
 *
 * <p>A key or certificate file whose content changed at an unchanged path (a renewed certificate)
 * counts as a change of its key, so SIGHUP puts it in force.
 *
 * <p>A replacement first builds the new agents' security (reads keys and certificates), so a
 * setting that cannot work is refused while the old agents keep running. Only then are the old
 * agents stopped, as on SIGTERM (a file in flight finishes within shutdown-grace or stays in the
 * outbox and is sent again, which the server's receipt ledger answers "duplicate" if it had
 * stored it), and the new ones started. If a new agent cannot start (its port is taken, its outbox
 * is locked by another agent), the old settings are started again; if even that fails, the process
 * is stopped with exit code 1 (systemd's {@code Restart=on-failure} then starts it afresh).
 *
 * <p>Threads: the command's thread calls {@link #start} and {@link #close}; {@link #apply} runs on
 * the reload thread. They are serialised, so close waits for a replacement under way.
 */
final class LiveAgents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveAgents.class);

    /** One agent of the process as this class drives it. Called on one thread at a time. */
    interface Part {
        /** "server" or "client", for the log. */
        String role();

        /** Whether a change of {@code key} requires this agent to be started again. */
        boolean concerns(String key);

        /** Builds what may be refused before the running agent stops: the security of the protocols. */
        Staged stage(FerrySettings settings, PluginRegistry registry) throws SecuritySetupException;

        /** Stops the running agent, if any. */
        void stop();
    }

    /** An agent ready to be built and started. */
    @FunctionalInterface
    interface Staged {
        /** Builds and starts the agent; on failure leaves nothing running. */
        void start() throws IOException;
    }

    private final List<Part> parts;
    private final CountDownLatch failed = new CountDownLatch(1);
    private FerrySettings running;
    private SecurityFiles runningFiles = SecurityFiles.NONE;
    private PluginRegistry registry;
    private boolean closed;

    /** @param parts the agents, in start order (they are stopped in reverse) */
    LiveAgents(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** Starts every agent; on failure stops those started and throws. */
    synchronized void start(FerrySettings settings, PluginRegistry plugins)
            throws SecuritySetupException, IOException {
        SecurityFiles files = SecurityFiles.read(settings);
        Map<Part, Staged> staged = new LinkedHashMap<>();
        for (Part part : parts) {
            staged.put(part, part.stage(settings, plugins));
        }
        startAll(staged);
        running = settings;
        runningFiles = files;
        registry = plugins;
    }

    /** Counted down when the agents can run with neither the new nor the old settings. */
    CountDownLatch failed() {
        return failed;
    }

    /** The settings in force. */
    synchronized FerrySettings running() {
        return running;
    }

    /**
     * Brings the agents to {@code next}: starts again those whose settings changed, or nothing
     * when nothing changed. Logs what it did, one line.
     *
     * @return the changes now in force (empty when none, or when they were refused)
     */
    synchronized SettingsChanges apply(FerrySettings next) {
        Objects.requireNonNull(next, "next");
        if (closed) {
            return new SettingsChanges(List.of());
        }
        // Read before the agents are built from them, so that a file replaced meanwhile is seen next time.
        SecurityFiles nextFiles = SecurityFiles.read(next);
        SettingsChanges changes = SettingsChanges.between(running, runningFiles, next, nextFiles);
        if (changes.isEmpty()) {
            log.info("config unchanged file={}; the agents keep running", next.source());
            return changes;
        }
        List<Part> affected = parts.stream()
                .filter(part -> changes.changes().stream().anyMatch(change -> part.concerns(change.key())))
                .toList();
        PluginRegistry nextRegistry = changes.any("ferry.plugins.") ? PluginRegistry.load(next.pluginsDir())
                : registry;
        Map<Part, Staged> staged = new LinkedHashMap<>();
        try {
            for (Part part : affected) {
                staged.put(part, part.stage(next, nextRegistry));
            }
        } catch (SecuritySetupException e) {
            log.warn("config not applied file={} reason=\"{}\"; the running settings stay in force", next.source(),
                    e.getMessage());
            return new SettingsChanges(List.of());
        }
        for (int i = affected.size() - 1; i >= 0; i--) {
            affected.get(i).stop();
        }
        try {
            startAll(staged);
        } catch (IOException | RuntimeException e) {
            log.error("config not applied file={} reason=\"{}\"; starting again with the running settings",
                    next.source(), e.getMessage());
            restore(affected);
            return new SettingsChanges(List.of());
        }
        running = next;
        runningFiles = nextFiles;
        registry = nextRegistry;
        for (SettingsChanges.Change change : changes.changes()) {
            if (change.atRestart()) {
                log.warn("setting {} changed in file={}: it takes effect at the next restart", change.key(),
                        next.source());
            }
        }
        log.info("config reloaded file={} changed={} restarted={}", next.source(), changes,
                affected.isEmpty() ? "none" : affected.stream().map(Part::role).collect(Collectors.joining(",")));
        return changes;
    }

    private void restore(List<Part> affected) {
        try {
            Map<Part, Staged> staged = new LinkedHashMap<>();
            for (Part part : affected) {
                staged.put(part, part.stage(running, registry));
            }
            startAll(staged);
        } catch (SecuritySetupException | IOException | RuntimeException e) {
            log.error("cannot run with the previous settings either: {}; stopping", e.getMessage());
            failed.countDown();
        }
    }

    /** Starts the staged agents in order; when one fails, stops those it started and rethrows. */
    private static void startAll(Map<Part, Staged> staged) throws IOException {
        List<Part> started = new ArrayList<>();
        try {
            for (Map.Entry<Part, Staged> entry : staged.entrySet()) {
                entry.getValue().start();
                started.add(entry.getKey());
            }
        } catch (IOException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop();
            }
            throw e;
        }
    }

    /** Stops every agent, in reverse start order. */
    @Override
    public synchronized void close() {
        closed = true;
        for (int i = parts.size() - 1; i >= 0; i--) {
            parts.get(i).stop();
        }
    }
}
