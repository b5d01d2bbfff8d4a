package dev.ferry.packaging;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * conf/logback.xml, loaded into a fresh LoggerContext as bin/ferry loads it, with the choices a
 * user makes through FERRY_LOG_TARGET, FERRY_LOG_FORMAT and FERRY_LOG_DIR (given here as context
 * properties, which Logback consults before system properties and the environment).
 */
class LogbackConfigurationTest {
    private static final Path CONFIG = Path.of("conf", "logback.xml");
    private static final String MESSAGE = "stored file=report.pdf bytes=42 peer=\"alice\"";

    @TempDir
    Path dir;

    @BeforeEach
    void noChoiceFromTheEnvironment() {
        // The defaults are what is tested when a test sets nothing; a developer's exported
        // FERRY_LOG_* would be found after the context properties and change them.
        for (String name : List.of("FERRY_LOG_TARGET", "FERRY_LOG_FORMAT", "FERRY_LOG_DIR")) {
            assumeTrue(System.getenv(name) == null && System.getProperty(name) == null,
                    name + " is set outside the test");
        }
    }

    /** What one logged event produced, and the complaints Logback had about the configuration. */
    private record Logged(String stdout, List<String> problems) {
    }

    private static Logged logOneLine(Map<String, String> choices) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        choices.forEach(context::putProperty);
        try {
            // ConsoleAppender looks System.out up on every write, so the swap catches its output.
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(CONFIG.toFile());
            Logger log = context.getLogger("dev.ferry.server.InboxWriter");
            log.info("stored file={} bytes={} peer={}", "report.pdf", 42, "\"alice\"");
        } finally {
            context.stop();
            System.setOut(saved);
        }
        List<String> problems = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() >= Status.WARN)
                .map(Status::getMessage)
                .toList();
        return new Logged(captured.toString(StandardCharsets.UTF_8), problems);
    }

    private static void assertOneJsonObjectPerLineWithTheMessage(String text) {
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line).startsWith("{").endsWith("}");
        assertThat(line).contains("\"level\":\"INFO\"")
                .contains("\"loggerName\":\"dev.ferry.server.InboxWriter\"")
                .contains("\"formattedMessage\":\"stored file=report.pdf bytes=42 peer=\\\"alice\\\"\"");
    }

    @Test
    void printsPlainTextOnStandardOutputByDefault() throws Exception {
        Logged logged = logOneLine(Map.of());

        assertThat(logged.problems()).isEmpty();
        List<String> lines = logged.stdout().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).doesNotStartWith("{")
                .contains(" INFO  [")
                .endsWith("InboxWriter - " + MESSAGE);
    }

    @Test
    void printsJsonLinesOnStandardOutputWhenFormatIsJson() throws Exception {
        Logged logged = logOneLine(Map.of("FERRY_LOG_FORMAT", "json"));

        assertThat(logged.problems()).isEmpty();
        assertOneJsonObjectPerLineWithTheMessage(logged.stdout());
    }

    @Test
    void writesJsonLinesToTheRollingFileWhenTargetIsFile() throws Exception {
        Path logs = dir.resolve("logs");

        Logged logged = logOneLine(Map.of("FERRY_LOG_TARGET", "file", "FERRY_LOG_FORMAT", "json",
                "FERRY_LOG_DIR", logs.toString()));

        assertThat(logged.problems()).isEmpty();
        assertThat(logged.stdout()).isEmpty();
        assertOneJsonObjectPerLineWithTheMessage(Files.readString(logs.resolve("ferry.log")));
    }

    @Test
    void writesTextToTheRollingFileWhenTargetIsFile() throws Exception {
        Path logs = dir.resolve("logs");

        Logged logged = logOneLine(Map.of("FERRY_LOG_TARGET", "file", "FERRY_LOG_DIR", logs.toString()));

        assertThat(logged.problems()).isEmpty();
        assertThat(logged.stdout()).isEmpty();
        assertThat(Files.readString(logs.resolve("ferry.log"))).endsWith("InboxWriter - " + MESSAGE + "\n");
    }

    @Test
    void fallsBackToPlainTextOnStandardOutputForAnUnknownChoice() throws Exception {
        Logged logged = logOneLine(Map.of("FERRY_LOG_TARGET", "syslog", "FERRY_LOG_FORMAT", "xml"));

        assertThat(logged.problems()).isEmpty();
        assertThat(logged.stdout().lines().toList()).singleElement(as(STRING))
                .endsWith("InboxWriter - " + MESSAGE);
    }

    @Test
    void createsNoLogFolderWhenLoggingToStandardOutput() throws Exception {
        Path logs = dir.resolve("logs");

        logOneLine(Map.of("FERRY_LOG_FORMAT", "json", "FERRY_LOG_DIR", logs.toString()));

        assertThat(logs).doesNotExist();
    }
}
