package dev.ferry.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * The security plugins available to this agent: the built-ins on the class path and those in
 * every {@code *.jar} of the plugins folder, each JAR in its own class loader. This is the one
 * lookup in Ferry; it is built once at start. A JAR, or one provider in it, that cannot be loaded
 * is reported in {@link #problems()} and skipped, so the agent still starts when the configured
 * plugin is fine. Immutable once loaded; the class loaders of JARs that provided a plugin stay open
 * for the life of the process.
 */
public final class PluginRegistry {
    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    private static final String BUILT_IN = "built-in";
    private static final String SERVICE_FILE = "META-INF/services/" + SecurityPlugin.class.getName();
    /** The rule {@code ferry.security.protocol} is checked against: an id outside it could never be chosen. */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    /** A plugin and where it came from ("built-in" or the JAR's path). */
    public record Entry(SecurityPlugin plugin, String source) {
        public Entry {
            Objects.requireNonNull(plugin, "plugin");
            Objects.requireNonNull(source, "source");
        }
    }

    private final Map<String, Entry> plugins;
    private final List<String> problems;

    private PluginRegistry(Map<String, Entry> plugins, List<String> problems) {
        this.plugins = Collections.unmodifiableMap(plugins);
        this.problems = List.copyOf(problems);
    }

    /** Loads the built-in plugins and those in {@code pluginsDir} (which may be null or missing). */
    public static PluginRegistry load(Path pluginsDir) {
        Map<String, Entry> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        ClassLoader parent = PluginRegistry.class.getClassLoader();
        collect(ServiceLoader.load(SecurityPlugin.class, parent), BUILT_IN, found, problems);
        for (Path jar : jars(pluginsDir, problems)) {
            loadJar(jar, parent, found, problems);
        }
        problems.forEach(p -> log.warn("{}", p));
        return new PluginRegistry(found, problems);
    }

    private static void loadJar(Path jar, ClassLoader parent, Map<String, Entry> found, List<String> problems) {
        // URLClassLoader silently skips a JAR it cannot open, so open it first to say why.
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getEntry(SERVICE_FILE) == null) {
                problems.add("plugin JAR " + jar + " declares no plugin: it has no " + SERVICE_FILE
                        + " naming its SecurityPlugin class");
                return;
            }
        } catch (IOException e) {
            problems.add("plugin JAR " + jar + " cannot be opened (" + reason(e) + "); replace it or remove it");
            return;
        }
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader(jar, parent);
        } catch (MalformedURLException e) {
            problems.add("plugin JAR " + jar + " cannot be opened (" + reason(e) + "); rename it or move it");
            return;
        }
        int before = problems.size();
        int kept = collect(ServiceLoader.load(SecurityPlugin.class, loader), jar.toString(), found, problems);
        if (kept == 0) {
            if (problems.size() == before) {
                problems.add("plugin JAR " + jar + " declares no plugin: its " + SERVICE_FILE + " names no class");
            }
            close(loader, jar);
        }
    }

    /** Adds every provider {@code loader} yields, skipping and reporting the broken ones; returns how many were kept. */
    private static int collect(ServiceLoader<SecurityPlugin> loader, String source, Map<String, Entry> found,
                               List<String> problems) {
        String where = BUILT_IN.equals(source) ? "the class path" : "plugin JAR " + source;
        int kept = 0;
        Iterator<SecurityPlugin> providers = loader.iterator();
        String lastError = null;
        while (true) {
            SecurityPlugin plugin;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                plugin = providers.next();
                lastError = null;
            } catch (ServiceConfigurationError | LinkageError e) {
                // ServiceLoader moves past a provider that fails, so the others still load; the same
                // error twice in a row means it did not (e.g. the service files cannot be listed).
                String error = reason(e);
                if (error.equals(lastError)) {
                    break;
                }
                lastError = error;
                problems.add(where + ": " + error + "; that plugin is skipped");
                continue;
            }
            if (add(plugin, source, where, found, problems)) {
                kept++;
            }
        }
        return kept;
    }

    private static boolean add(SecurityPlugin plugin, String source, String where, Map<String, Entry> found,
                               List<String> problems) {
        String type = plugin.getClass().getName();
        String id;
        try {
            id = plugin.id();
            plugin.description();
        } catch (RuntimeException | LinkageError e) {
            problems.add(where + ": plugin " + type + " fails to describe itself (" + reason(e)
                    + "); it is skipped");
            return false;
        }
        if (id == null) {
            problems.add(where + ": plugin " + type + " has no id (id() returned null); it is skipped");
            return false;
        }
        if (!ID.matcher(id).matches()) {
            problems.add(where + ": plugin " + type + " has the id '" + id + "', which is not a protocol id"
                    + " (lower case letters, digits, - or _, as in ferry.security.protocol); it is skipped");
            return false;
        }
        Entry previous = found.get(id);
        if (previous != null) {
            problems.add("two plugins have the id '" + id + "': " + previous.source() + " and " + source
                    + "; the first is used, remove the other");
            return false;
        }
        found.put(id, new Entry(plugin, source));
        if (!BUILT_IN.equals(source)) {
            log.info("plugin loaded id={} class={} source={}", id, type, source);
        }
        return true;
    }

    private static List<Path> jars(Path dir, List<String> problems) {
        List<Path> jars = new ArrayList<>();
        if (dir == null || !Files.exists(dir)) {
            return jars;
        }
        if (!Files.isDirectory(dir)) {
            problems.add("plugins folder " + dir + " is not a folder; set ferry.plugins.dir to a folder of plugin JARs");
            return jars;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        } catch (IOException e) {
            problems.add("plugins folder " + dir + " cannot be read (" + reason(e) + ")");
        }
        // Sorted, so that "the first is used" among duplicates is the same on every start.
        Collections.sort(jars);
        return jars;
    }

    private static void close(URLClassLoader loader, Path jar) {
        try {
            loader.close();
        } catch (IOException e) {
            log.debug("closing the class loader of plugin JAR {} failed: {}", jar, e.toString());
        }
    }

    /**
     * An error and its causes in one line, without the service name ServiceLoader puts in front:
     * "Provider a.B could not be instantiated, caused by IllegalStateException: no licence key".
     */
    private static String reason(Throwable e) {
        String prefix = SecurityPlugin.class.getName() + ": ";
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = t.getCause(), depth++) {
            if (depth > 0) {
                text.append(", caused by ");
            }
            String message = Objects.requireNonNullElse(t.getMessage(), "");
            if (t instanceof ServiceConfigurationError) {
                text.append(message.startsWith(prefix) ? message.substring(prefix.length()) : message);
            } else {
                text.append(t.getClass().getSimpleName()).append(message.isEmpty() ? "" : ": " + message);
            }
        }
        return text.toString();
    }

    /** The plugin with this id, or a clear error listing the ids there are. */
    public SecurityPlugin get(String id) throws SecuritySetupException {
        Objects.requireNonNull(id, "id");
        Entry entry = plugins.get(id);
        if (entry == null) {
            throw new SecuritySetupException("unknown security protocol '" + id + "'; available: "
                    + String.join(", ", plugins.keySet()) + " (ferry plugins lists them; third-party JARs go in"
                    + " ferry.plugins.dir)");
        }
        return entry.plugin();
    }

    public boolean contains(String id) {
        return plugins.containsKey(id);
    }

    /** Every plugin in discovery order (built-ins first, then the JARs sorted by path). */
    public List<Entry> entries() {
        return List.copyOf(plugins.values());
    }

    /** What went wrong while loading (already logged at WARN), one line each. */
    public List<String> problems() {
        return problems;
    }

    /**
     * One plugin JAR's loader. Classes are found parent first, so the JAR sees the same SPI classes
     * as the agent; but the service file is read from this JAR only: the parent's providers would
     * otherwise be found a second time, and a JAR that names a class-path class would hide it.
     */
    private static final class PluginClassLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        PluginClassLoader(Path jar, ClassLoader parent) throws MalformedURLException {
            super("ferry-plugin:" + jar.getFileName(), new URL[] {jar.toUri().toURL()}, parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return SERVICE_FILE.equals(name) ? findResources(name) : super.getResources(name);
        }
    }
}
