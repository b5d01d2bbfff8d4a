package dev.ferry.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    private FerrySettings load(String fileText, Map<String, String> env, Properties props) throws Exception {
        Path file = dir.resolve("ferry.conf");
        Files.writeString(file, fileText);
        return new SettingsLoader(env, props, () -> "host-a").load(file, true);
    }

    private FerrySettings load(String fileText) throws Exception {
        return load(fileText, Map.of(), new Properties());
    }

    @Test
    void defaultsComeFromReferenceConf() throws Exception {
        FerrySettings settings = new SettingsLoader(Map.of(), new Properties(), () -> "host-a")
                .load(dir.resolve("missing.conf"), false);

        assertThat(settings.source()).isEqualTo("defaults");
        assertThat(settings.server().port()).isEqualTo(4321);
        assertThat(settings.server().host()).isEqualTo("0.0.0.0");
        assertThat(settings.server().onConflict()).isEqualTo(ConflictPolicy.RENAME);
        assertThat(settings.server().maxConnections()).isEqualTo(64);
        assertThat(settings.server().maxFileSize()).isEqualTo(64L << 30);
        assertThat(settings.server().handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.server().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.server().accept()).containsExactly("cp2");
        assertThat(settings.client().serverHost()).isEqualTo("127.0.0.1");
        assertThat(settings.client().outbox()).isEqualTo(Path.of("outbox"));
        assertThat(settings.client().afterSend()).isEqualTo(AfterSendMode.DELETE);
        assertThat(settings.client().archiveDir()).isEqualTo(Path.of("outbox/.sent"));
        assertThat(settings.client().failedDir()).isEqualTo(Path.of("outbox/.failed"));
        assertThat(settings.client().settleTime()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.client().rescanInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.client().exclude()).containsExactly(".*", "*.part", "*.tmp", "*~");
        assertThat(settings.client().retryInitial()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.client().retryMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.client().name()).isEqualTo("host-a");
        assertThat(settings.security().protocol()).isEqualTo("cp2");
        assertThat(settings.security().expectedServerName()).isEqualTo("127.0.0.1");
        assertThat(settings.security().clientCa()).isEqualTo(Path.of("certs/ca.crt"));
        assertThat(settings.security().clientCert()).isEmpty();
    }

    @Test
    void metricsAreOffByDefaultOnLoopback() throws Exception {
        FerrySettings settings = load("");

        assertThat(settings.metrics()).isEqualTo(new MetricsSettings(false, "127.0.0.1", 9464, Duration.ofMinutes(5)));
    }

    @Test
    void metricsSettingsAreRead() throws Exception {
        FerrySettings settings = load("ferry.metrics { enabled = true, host = \"::1\", port = 9100,"
                + " unreachable-after = 30s }");

        assertThat(settings.metrics()).isEqualTo(new MetricsSettings(true, "::1", 9100, Duration.ofSeconds(30)));
    }

    @Test
    void rejectsBadMetricsSettingsNamingTheKey() {
        assertThatThrownBy(() -> load("ferry.metrics.port = 70000"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ferry.metrics.port = 70000: must be between 0 and 65535");
        assertThatThrownBy(() -> load("ferry.metrics.unreachable-after = 10ms"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ferry.metrics.unreachable-after", "must be between 100ms and 168h");
        assertThatThrownBy(() -> load("ferry.metrics.host = \"http://localhost\""))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ferry.metrics.host", "must be an address to listen on");
        assertThatThrownBy(() -> load("ferry.metrics.enabled = maybe"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ferry.metrics.enabled", "must be true or false");
    }

    @Test
    void missingExplicitFileIsAnError() {
        assertThatThrownBy(() -> new SettingsLoader(Map.of(), new Properties(), () -> "h")
                .load(dir.resolve("nope.conf"), true))
                .isInstanceOf(SettingsException.class).hasMessageContaining("nope.conf does not exist");
    }

    @Test
    void archiveAndFailedFoldersFollowTheOutbox() throws Exception {
        FerrySettings settings = load("ferry.client.outbox = \"/data/out\"");

        assertThat(settings.client().archiveDir()).isEqualTo(Path.of("/data/out/.sent"));
        assertThat(settings.client().failedDir()).isEqualTo(Path.of("/data/out/.failed"));
    }

    @Test
    void reportsAnUnknownKeyWithFileLineAndSuggestion() {
        assertThatThrownBy(() -> load("ferry {\n  server {\n    prot = 5000\n  }\n}\n"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("ferry.conf: 3")
                .hasMessageContaining("unknown setting ferry.server.prot")
                .hasMessageContaining("did you mean ferry.server.port?");
    }

    @Test
    void reportsAnUnknownSystemProperty() {
        Properties props = new Properties();
        props.setProperty("ferry.client.setle-time", "2s");

        assertThatThrownBy(() -> load("", Map.of(), props))
                .hasMessageContaining("unknown setting ferry.client.setle-time")
                .hasMessageContaining("ferry.client.settle-time");
    }

    @Test
    void badValuesNameTheFileKeyValueAndRule() {
        assertThatThrownBy(() -> load("ferry.server.port = 70000"))
                .hasMessageContaining("ferry.conf: 1")
                .hasMessageContaining("ferry.server.port = 70000")
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> load("ferry.server.on-conflict = merge"))
                .hasMessageContaining("ferry.server.on-conflict = \"merge\"")
                .hasMessageContaining("must be one of rename, overwrite, reject");
        assertThatThrownBy(() -> load("ferry.client.settle-time = soon"))
                .hasMessageContaining("ferry.client.settle-time")
                .hasMessageContaining("duration such as 500ms");
        assertThatThrownBy(() -> load("ferry.server.max-file-size = lots"))
                .hasMessageContaining("size such as 512 KiB");
        assertThatThrownBy(() -> load("ferry.client.retry { initial = 5s, max = 1s }"))
                .hasMessageContaining("must not be shorter than ferry.client.retry.initial");
        assertThatThrownBy(() -> load("ferry.security.protocol = \"Cp 2\""))
                .hasMessageContaining("must be a protocol id");
    }

    @Test
    void clientCertificateAndKeyGoTogether() {
        assertThatThrownBy(() -> load("ferry.security.client-cert = c.crt"))
                .hasMessageContaining("client-cert and client-key go together");
    }

    @Test
    void syntaxErrorsNameTheFile() {
        assertThatThrownBy(() -> load("ferry { server { port = "))
                .isInstanceOf(SettingsException.class).hasMessageContaining("cannot be parsed");
    }

    @Test
    void precedenceIsPropertiesThenEnvironmentThenFileThenDefaults() throws Exception {
        String file = "ferry.server.port = 1111\nferry.server.inbox = from-file\nferry.client.outbox = from-file\n";
        Properties props = new Properties();
        props.setProperty("ferry.server.port", "3333");

        FerrySettings settings = load(file, Map.of("FERRY_SERVER_PORT", "2222", "FERRY_INBOX", "from-env"), props);

        assertThat(settings.server().port()).isEqualTo(3333);
        assertThat(settings.server().inbox()).isEqualTo(Path.of("from-env"));
        assertThat(settings.client().outbox()).isEqualTo(Path.of("from-file"));
    }

    @Test
    void acceptListDefaultsToTheProtocolAndCanBeWidened() throws Exception {
        assertThat(load("ferry.security.protocol = cp2").server().accept()).containsExactly("cp2");
        assertThat(load("ferry.server.accept = [cp2, ap]").server().accept()).isEqualTo(List.of("cp2", "ap"));
    }

    @Test
    void theShippedUserConfigIsValid() throws IOException, SettingsException {
        FerrySettings settings = new SettingsLoader(Map.of(), new Properties(), () -> "h")
                .load(Path.of("conf/ferry.conf"), true);

        assertThat(settings.source()).endsWith("ferry.conf");
    }
}
