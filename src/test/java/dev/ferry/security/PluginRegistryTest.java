package dev.ferry.security;

import com.typesafe.config.ConfigUtil;
import dev.ferry.cli.Main;
import dev.ferry.config.FerrySettings;
import dev.ferry.testing.Clients;
import dev.ferry.testing.PluginJars;
import dev.ferry.testing.Ports;
import dev.ferry.testing.Running;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Third-party plugins: JARs compiled at test time and dropped into a plugins folder. */
class PluginRegistryTest {
    private static final String ROT13_CLASS = "example.rot13.Rot13Plugin";
    private static final List<String> BUILT_INS = List.of("plain", "ap", "cp1", "cp2");

    @TempDir
    Path dir;

    @RegisterExtension
    final Running running = new Running();

    private Path plugins() {
        return dir.resolve("plugins");
    }

    private Path rot13Jar() throws IOException {
        String source;
        try (InputStream in = PluginRegistryTest.class.getResourceAsStream("Rot13Plugin.java.txt")) {
            assertThat(in).as("Rot13Plugin.java.txt next to this test").isNotNull();
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return PluginJars.plugin(plugins(), "rot13.jar", ROT13_CLASS, source);
    }

    /** A plugin that only lists itself: enough for the registry, it refuses to run transfers. */
    private static String listedOnly(String className, String id, String description, String constructorBody) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import dev.ferry.security.ClientSecurity;
                import dev.ferry.security.SecurityContext;
                import dev.ferry.security.SecurityPlugin;
                import dev.ferry.security.SecuritySetupException;
                import dev.ferry.security.ServerSecurity;

                public final class %s implements SecurityPlugin {
                    public %s() {
                        %s
                    }

                    @Override
                    public String id() {
                        return %s;
                    }

                    @Override
                    public String description() {
                        return "%s";
                    }

                    @Override
                    public ClientSecurity client(SecurityContext context) throws SecuritySetupException {
                        throw new SecuritySetupException("test plugin: lists itself only");
                    }

                    @Override
                    public ServerSecurity server(SecurityContext context) throws SecuritySetupException {
                        throw new SecuritySetupException("test plugin: lists itself only");
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), className.substring(dot + 1),
                constructorBody, id == null ? "null" : '"' + id + '"', description);
    }

    private Path listedOnlyJar(String jarName, String className, String id, String description) throws IOException {
        return PluginJars.plugin(plugins(), jarName, className, listedOnly(className, id, description, ""));
    }

    private static List<String> ids(PluginRegistry registry) {
        return registry.entries().stream().map(e -> e.plugin().id()).toList();
    }

    private static long counter(SecurityPlugin plugin, String field) throws ReflectiveOperationException {
        Class<?> type = Class.forName(plugin.getClass().getName(), true, plugin.getClass().getClassLoader());
        return ((AtomicLong) type.getField(field).get(null)).get();
    }


    @Test
    void findsAPluginInAJarAlongsideTheBuiltInsWithTheJarAsItsSource() throws Exception {
        Path jar = rot13Jar();

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).isEmpty();
        assertThat(ids(registry)).containsExactly("plain", "ap", "cp1", "cp2", "rot13");
        assertThat(registry.entries()).filteredOn(e -> BUILT_INS.contains(e.plugin().id()))
                .extracting(PluginRegistry.Entry::source).containsOnly("built-in");
        assertThat(registry.entries().get(4).source()).isEqualTo(jar.toString());
        SecurityPlugin rot13 = registry.get("rot13");
        assertThat(rot13.getClass().getName()).isEqualTo(ROT13_CLASS);
        assertThat(rot13.getClass().getClassLoader()).isNotSameAs(PluginRegistry.class.getClassLoader());
        assertThatThrownBy(() -> Class.forName(ROT13_CLASS)).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void sendsAFileEndToEndThroughAThirdPartyPluginWhileAnotherJarIsBroken() throws Exception {
        rot13Jar();
        Files.writeString(plugins().resolve("broken.jar"), "not a zip");
        int port = Ports.free();
        FerrySettings settings = TestSettings.load(
                "ferry.security.protocol", "rot13",
                "ferry.plugins.dir", plugins().toString(),
                "ferry.server.host", "127.0.0.1",
                "ferry.server.port", Integer.toString(port),
                "ferry.server.inbox", dir.resolve("inbox").toString(),
                "ferry.client.server-port", Integer.toString(port),
                "ferry.client.outbox", dir.resolve("outbox").toString(),
                "ferry.client.settle-time", "200ms",
                "ferry.client.retry.initial", "100ms",
                "ferry.client.retry.max", "1s");
        PluginRegistry registry = PluginRegistry.load(settings.pluginsDir());
        running.add(Servers.start(settings, registry));
        running.add(Clients.start(settings, registry));
        int size = 300_000;

        String digest = Trees.write(dir.resolve("outbox/through-rot13.bin"), size, 13);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(Trees.digests(dir.resolve("inbox"))).isEqualTo(Map.of("through-rot13.bin", digest));
            assertThat(Trees.digests(dir.resolve("outbox"))).isEmpty();
        });
        assertThat(registry.problems()).singleElement().asString().contains("broken.jar");
        SecurityPlugin rot13 = registry.get("rot13");
        assertThat(counter(rot13, "SEALED")).as("bytes the client sealed with rot13").isGreaterThanOrEqualTo(size);
        assertThat(counter(rot13, "OPENED")).as("bytes the server opened with rot13").isGreaterThanOrEqualTo(size);
    }

    @Test
    void keepsTheFirstOfTwoPluginsWithOneIdAndNamesBothJars() throws Exception {
        Path first = listedOnlyJar("a-twin.jar", "example.a.Twin", "twin", "the first twin");
        Path second = listedOnlyJar("b-twin.jar", "example.b.Twin", "twin", "the second twin");

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.get("twin").description()).isEqualTo("the first twin");
        assertThat(registry.problems()).singleElement().asString()
                .contains("'twin'", first.toString(), second.toString());
        assertThat(ids(registry)).containsExactly("plain", "ap", "cp1", "cp2", "twin");
    }

    @Test
    void reportsAJarThatRedeclaresABuiltInClassAsADuplicateOfTheBuiltIn() throws Exception {
        Path jar = PluginJars.write(plugins().resolve("copy.jar"), Map.of(),
                List.of("dev.ferry.security.plain.PlainPlugin"));

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString()
                .contains("'plain'", "built-in", jar.toString());
        assertThat(registry.entries()).hasSize(4).extracting(PluginRegistry.Entry::source).containsOnly("built-in");
    }

    @Test
    void reportsAJarThatIsNotAZipWithTheReasonAndKeepsTheBuiltIns() throws Exception {
        Files.createDirectories(plugins());
        Path broken = Files.writeString(plugins().resolve("broken.jar"), "this is not a zip file");

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString()
                .contains(broken.toString(), "cannot be opened", "ZipException: zip END header not found");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void reportsAServiceFileNamingAMissingClassAndKeepsTheJarsOtherPlugin() throws Exception {
        Path jar = PluginJars.write(plugins().resolve("half.jar"),
                Map.of("example.half.Present", listedOnly("example.half.Present", "present", "still here", "")),
                List.of("example.half.Missing", "example.half.Present"));

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString()
                .contains(jar.toString(), "example.half.Missing", "not found");
        assertThat(ids(registry)).containsExactly("plain", "ap", "cp1", "cp2", "present");
        assertThat(registry.entries().get(4).source()).isEqualTo(jar.toString());
    }

    @Test
    void reportsAPluginWhoseConstructorThrowsWithItsReason() throws Exception {
        Path jar = PluginJars.plugin(plugins(), "grumpy.jar", "example.grumpy.Grumpy",
                listedOnly("example.grumpy.Grumpy", "grumpy", "never starts",
                        "if (true) { throw new IllegalStateException(\"licence key missing\"); }"));

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString()
                .contains(jar.toString(), "Provider example.grumpy.Grumpy could not be instantiated",
                        "IllegalStateException: licence key missing");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void reportsAPluginWithoutAUsableId() throws Exception {
        Path nullId = listedOnlyJar("null-id.jar", "example.bad.NullId", null, "no id");
        Path spaced = listedOnlyJar("spaced-id.jar", "example.bad.SpacedId", "Rot 13", "a bad id");

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).hasSize(2);
        assertThat(registry.problems().get(0)).contains(nullId.toString(), "example.bad.NullId", "no id");
        assertThat(registry.problems().get(1)).contains(spaced.toString(), "example.bad.SpacedId", "'Rot 13'",
                "lower case");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void reportsAJarWithoutAServiceFile() throws Exception {
        Path jar = PluginJars.write(plugins().resolve("empty.jar"), Map.of(), List.of());

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString()
                .contains(jar.toString(), "has no META-INF/services/dev.ferry.security.SecurityPlugin");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void reportsAJarWhoseServiceFileNamesNoClass() throws Exception {
        Path jar = PluginJars.write(plugins().resolve("comments.jar"), Map.of(), List.of("# nothing yet"));

        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThat(registry.problems()).singleElement().asString().contains(jar.toString(), "names no class");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void aMissingPluginsFolderIsNoProblem() {
        PluginRegistry registry = PluginRegistry.load(dir.resolve("no-such-folder"));

        assertThat(registry.problems()).isEmpty();
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void reportsAPluginsPathThatIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("plugins.txt"), "not a folder");

        PluginRegistry registry = PluginRegistry.load(file);

        assertThat(registry.problems()).singleElement().asString().contains(file.toString(), "ferry.plugins.dir");
        assertThat(ids(registry)).containsExactlyElementsOf(BUILT_INS);
    }

    @Test
    void unknownIdListsTheAvailableIds() throws Exception {
        rot13Jar();
        PluginRegistry registry = PluginRegistry.load(plugins());

        assertThatThrownBy(() -> registry.get("nope"))
                .isInstanceOf(SecuritySetupException.class)
                .hasMessageContaining("unknown security protocol 'nope'")
                .hasMessageContaining("available: plain, ap, cp1, cp2, rot13");
    }

    @Test
    void pluginsCommandPrintsAThirdPartyPluginWithItsJarPath() throws Exception {
        Path jar = rot13Jar();
        Path conf = Files.writeString(dir.resolve("ferry.conf"),
                "ferry.plugins.dir = " + ConfigUtil.quoteString(plugins().toString()) + "\n");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;

        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.run("plugins", "--config", conf.toString());
        } finally {
            System.setOut(stdout);
        }

        assertThat(code).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .contains("plain", "[built-in]")
                .containsPattern("rot13 +test plugin: every payload byte rotated by 13, no security \\["
                        + Pattern.quote(jar.toString()) + "]");
    }
}
