package dev.ferry.testing;

import dev.ferry.security.SecurityPlugin;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * Third-party plugin JARs built at test time: Java source text compiled in memory with the
 * system compiler against the test class path, packaged with a
 * {@code META-INF/services/dev.ferry.security.SecurityPlugin} file. The classes exist only in
 * the JAR, never on the test class path.
 */
public final class PluginJars {
    private static final String SERVICE_FILE = "META-INF/services/" + SecurityPlugin.class.getName();

    private PluginJars() {
    }

    /**
     * Compiles one plugin class and writes {@code dir/jarName} declaring it as the only provider.
     *
     * @param className the fully qualified name of the class {@code source} declares
     * @return the JAR's path
     */
    public static Path plugin(Path dir, String jarName, String className, String source) throws IOException {
        return write(dir.resolve(jarName), Map.of(className, source), List.of(className));
    }

    /**
     * Compiles {@code sources} and writes a JAR with their classes and a service file listing
     * {@code providers} as they are (which may name classes that do not exist, or be comments);
     * with no providers, the JAR has no service file.
     *
     * @param sources fully qualified class name to its source text
     * @return {@code jar}
     */
    public static Path write(Path jar, Map<String, String> sources, List<String> providers) throws IOException {
        Map<String, byte[]> classes = compile(sources);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Map.Entry<String, byte[]> c : classes.entrySet()) {
                out.putNextEntry(new JarEntry(c.getKey().replace('.', '/') + ".class"));
                out.write(c.getValue());
                out.closeEntry();
            }
            if (!providers.isEmpty()) {
                out.putNextEntry(new JarEntry(SERVICE_FILE));
                out.write(providers.stream().map(p -> p + "\n").collect(Collectors.joining())
                        .getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Binary class name (with {@code $} for nested classes) to class file bytes. */
    private static Map<String, byte[]> compile(Map<String, String> sources) throws IOException {
        if (sources.isEmpty()) {
            return Map.of();
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> units.add(new SourceText(name, text)));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> output = new TreeMap<>();
        try (StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8);
             JavaFileManager inMemory = new ClassCollector(standard, output)) {
            List<String> options = List.of("--release", "17", "-proc:none",
                    "-classpath", System.getProperty("java.class.path"));
            boolean compiled = compiler.getTask(null, inMemory, diagnostics, options, null, units).call();
            if (!compiled) {
                throw new IllegalStateException("plugin sources do not compile:\n" + diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                        .map(Object::toString).collect(Collectors.joining("\n")));
            }
        }
        Map<String, byte[]> classes = new TreeMap<>();
        output.forEach((name, bytes) -> classes.put(name, bytes.toByteArray()));
        return classes;
    }

    /** A compilation unit held in a string. */
    private static final class SourceText extends SimpleJavaFileObject {
        private final String text;

        SourceText(String className, String text) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.text = Objects.requireNonNull(text, "text");
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    /** Keeps every class file the compiler writes in memory instead of on disk. */
    private static final class ClassCollector extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, ByteArrayOutputStream> output;

        ClassCollector(StandardJavaFileManager standard, Map<String, ByteArrayOutputStream> output) {
            super(standard);
            this.output = output;
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                @Override
                public OutputStream openOutputStream() {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    output.put(className, bytes);
                    return bytes;
                }
            };
        }
    }
}
