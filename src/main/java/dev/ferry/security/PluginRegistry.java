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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The security plugins available to this agent: the built-ins on the class path and those in
 * every {@code *.jar} of the plugins folder, each JAR in its own class loader. This is the one
 * lookup in Ferry; it is built once at start. A JAR that cannot be loaded is reported and skipped,
 * so the agent still starts when the configured plugin is fine.
 */
public final class PluginRegistry {
    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    /** A plugin and where it came from ("built-in" or the JAR's path). */
    public record Entry(SecurityPlugin plugin, String source) {
    }

    private final Map<String, Entry> plugins;
    private final List<String> problems;

    private PluginRegistry(Map<String, Entry> plugins, List<String> problems) {
        this.plugins = Collections.unmodifiableMap(plugins);
        this.problems = List.copyOf(problems);
    }

    /** Loads the built-in plugins and those in {@code pluginsDir} (which may be missing). */
    public static PluginRegistry load(Path pluginsDir) {
        Map<String, Entry> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        ClassLoader parent = PluginRegistry.class.getClassLoader();
        collect(ServiceLoader.load(SecurityPlugin.class, parent), "built-in", found, problems);
        for (Path jar : jars(pluginsDir, problems)) {
            try {
                URLClassLoader loader = new URLClassLoader("ferry-plugin:" + jar.getFileName(),
                        new URL[] {jar.toUri().toURL()}, parent);
                // Only providers declared by the JAR itself: the parent's would be found twice.
                List<SecurityPlugin> own = new ArrayList<>();
                for (ServiceLoader.Provider<SecurityPlugin> p : ServiceLoader.load(SecurityPlugin.class, loader)
                        .stream().toList()) {
                    if (p.type().getClassLoader() == loader) {
                        own.add(p.get());
                    }
                }
                if (own.isEmpty()) {
                    problems.add("plugin JAR " + jar + " declares no " + SecurityPlugin.class.getName()
                            + " in META-INF/services");
                }
                collect(own, jar.toString(), found, problems);
            } catch (MalformedURLException | ServiceConfigurationError | LinkageError e) {
                problems.add("plugin JAR " + jar + " cannot be loaded: " + e.getMessage());
            }
        }
        problems.forEach(p -> log.warn("{}", p));
        return new PluginRegistry(found, problems);
    }

    private static void collect(Iterable<SecurityPlugin> loader, String source, Map<String, Entry> found,
                                List<String> problems) {
        try {
            for (SecurityPlugin plugin : loader) {
                Entry previous = found.get(plugin.id());
                if (previous != null) {
                    problems.add("two plugins have the id '" + plugin.id() + "': " + previous.source()
                            + " and " + source + "; the first is used, remove the other");
                    continue;
                }
                found.put(plugin.id(), new Entry(plugin, source));
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            problems.add("plugins from " + source + " cannot be loaded: " + e.getMessage());
        }
    }

    private static List<Path> jars(Path dir, List<String> problems) {
        List<Path> jars = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return jars;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.jar")) {
            stream.forEach(jars::add);
        } catch (IOException e) {
            problems.add("plugins folder " + dir + " cannot be read: " + e.getMessage());
        }
        Collections.sort(jars);
        return jars;
    }

    /** The plugin with this id, or a clear error listing the ids there are. */
    public SecurityPlugin get(String id) throws SecuritySetupException {
        Objects.requireNonNull(id, "id");
        Entry entry = plugins.get(id);
        if (entry == null) {
            throw new SecuritySetupException("unknown security protocol '" + id + "'; available: "
                    + String.join(", ", plugins.keySet()));
        }
        return entry.plugin();
    }

    public boolean contains(String id) {
        return plugins.containsKey(id);
    }

    /** Every plugin in discovery order (built-ins first). */
    public List<Entry> entries() {
        return List.copyOf(plugins.values());
    }

    /** What went wrong while loading (already logged). */
    public List<String> problems() {
        return problems;
    }
}
