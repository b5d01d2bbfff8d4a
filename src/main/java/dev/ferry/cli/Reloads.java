package dev.ferry.cli;

import dev.ferry.config.ConfigWatcher;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.ReloadSettings;
import dev.ferry.config.SettingsChanges;
import dev.ferry.config.SettingsException;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecuritySetupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reloads the configuration on request, from the {@link ConfigWatcher} of the configuration file
 * (when {@code ferry.config.watch}) or from SIGHUP: loads and validates the settings again, every
 * source counted, and hands them to {@link LiveAgents}. An invalid configuration is logged with its
 * file, line, key and rule, and changes nothing.
 *
 * <p>Threads: the reloads run one after the other on the thread {@code ferry-reload}. A request
 * made during a reload queues one more; further requests merge into that one. {@link #request}
 * may be called from any thread (the watcher's, a signal handler's); the owner calls
 * {@link #close()} before it closes the agents.
 */
final class Reloads implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reloads.class);
    private static final String STOP = "";

    /** Loads the settings from every source, as at start. */
    @FunctionalInterface
    interface Loader {
        FerrySettings load() throws SettingsException;
    }

    private final Loader loader;
    private final Path file;
    private final LiveAgents agents;
    private final BlockingQueue<String> requests = new ArrayBlockingQueue<>(1);
    private final Thread thread;
    private volatile boolean closed;
    private ConfigWatcher watcher;
    private ReloadSettings watching;

    /**
     * @param file the configuration file the agents were started from, or null when they run on the
     *             built-in defaults (nothing to watch; SIGHUP still reloads)
     */
    Reloads(Loader loader, Path file, LiveAgents agents) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.file = file;
        this.agents = Objects.requireNonNull(agents, "agents");
        this.thread = new Thread(this::run, "ferry-reload");
        this.thread.setDaemon(true);
    }

    /**
     * Starts {@code agents} with {@code settings}, reloads on SIGHUP and edits of the configuration
     * file, and blocks until SIGTERM or SIGINT, or until the agents cannot go on. Closes nothing.
     *
     * @return the exit code: 0 after a signal, 1 when the agents could not go on
     */
    static int runUntilStopped(ConfigOption config, FerrySettings settings, PluginRegistry registry,
                               LiveAgents agents) throws SecuritySetupException, IOException, InterruptedException {
        Reloads reloads = new Reloads(config::load, config.existingFile(), agents);
        // Before the agents start, so that an early SIGHUP does not stop the JVM: it waits for them.
        Signals.onHangup(() -> reloads.request("SIGHUP"));
        try {
            agents.start(settings, registry);
            reloads.start();
            return Signals.awaitTermination(agents.failed()) ? 0 : 1;
        } finally {
            reloads.close();
        }
    }

    /** Starts the reload thread and, when the settings say so, the watcher of the file. */
    void start() {
        synchronized (this) {
            watch(agents.running().reload());
        }
        thread.start();
    }

    /** Asks for a reload; {@code why} is logged ("SIGHUP", "file changed"). Never blocks. */
    void request(String why) {
        if (!closed && requests.offer(why)) {
            log.debug("config reload requested by {}", why);
        }
    }

    private void run() {
        while (true) {
            String why;
            try {
                why = requests.take();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                reload(why);
            } catch (RuntimeException e) {
                // A bug (ours or a plugin's): keep the stack, and keep the thread for the next reload.
                log.error("config reload ({}) failed unexpectedly; the running settings stay in force", why, e);
            }
        }
    }

    private void reload(String why) {
        if (file != null && !Files.exists(file)) {
            log.warn("config not reloaded ({}): file={} is gone; the running settings stay in force", why, file);
            return;
        }
        FerrySettings next;
        try {
            next = loader.load();
        } catch (SettingsException e) {
            log.warn("config not applied ({}) reason=\"{}\"; the running settings stay in force", why,
                    e.getMessage().replace('\n', ' '));
            return;
        }
        log.debug("config loaded ({}) file={}", why, next.source());
        SettingsChanges changes = agents.apply(next);
        if (changes.any("ferry.config.")) {
            synchronized (this) {
                watch(next.reload());
            }
        }
    }

    /** Starts, stops or restarts the watcher to match {@code settings}. */
    private void watch(ReloadSettings settings) {
        if (closed || settings.equals(watching)) {
            return;
        }
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        watching = settings;
        if (file == null) {
            log.debug("no configuration file: the built-in defaults are in force, nothing to watch; SIGHUP reloads");
            return;
        }
        if (!settings.watch()) {
            log.info("config file={} is not watched (ferry.config.watch = false); SIGHUP reloads it", file);
            return;
        }
        try {
            watcher = ConfigWatcher.start(file, settings.debounce(), () -> request("file changed"));
            log.info("watching config file={}; a saved edit takes effect without restart", file);
        } catch (IOException e) {
            log.warn("config file={} cannot be watched: {}; SIGHUP (systemctl reload) reloads it", file,
                    e.toString());
        }
    }

    /** Stops watching and waits for a reload under way to end. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
        requests.clear();
        requests.offer(STOP);
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
