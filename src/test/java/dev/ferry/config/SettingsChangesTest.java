package dev.ferry.config;

import dev.ferry.testing.TestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsChangesTest {
    @TempDir
    Path dir;

    @Test
    void aCertificateWithNewContentAtTheSamePathIsAChange() throws Exception {
        Path ca = dir.resolve("ca.crt");
        Files.writeString(ca, "old certificate");
        FerrySettings settings = TestSettings.load("ferry.security.ca-cert", ca.toString());
        SecurityFiles before = SecurityFiles.read(settings);
        Files.writeString(ca, "renewed certificate");

        SettingsChanges renewed = SettingsChanges.between(settings, before, settings, SecurityFiles.read(settings));
        SettingsChanges same = SettingsChanges.between(settings, before, settings, before);

        assertThat(renewed.toString()).isEqualTo("ferry.security.ca-cert (file content changed)");
        assertThat(same.isEmpty()).isTrue();
        assertThat(before.digests().values()).doesNotContain("old certificate");
    }

    @Test
    void namesEveryChangedKeyWithItsValuesInKeyOrder() {
        FerrySettings running = TestSettings.load("ferry.security.protocol", "plain");
        FerrySettings next = TestSettings.load("ferry.security.protocol", "cp2", "ferry.client.settle-time", "250ms");

        SettingsChanges changes = SettingsChanges.between(running, next);

        assertThat(changes.toString())
                .isEqualTo("ferry.client.settle-time (1s -> 250ms), ferry.security.protocol (plain -> cp2)");
        assertThat(changes.any("ferry.security.")).isTrue();
        assertThat(changes.any("ferry.server.")).isFalse();
    }

    @Test
    void seesAChangeThatComesFromAKeyItDependsOn() {
        FerrySettings running = TestSettings.load("ferry.client.outbox", "out");
        FerrySettings next = TestSettings.load("ferry.client.outbox", "elsewhere");

        SettingsChanges changes = SettingsChanges.between(running, next);

        // archive-dir and failed-dir default to folders of the outbox.
        assertThat(changes.changes()).extracting(SettingsChanges.Change::key).containsExactly(
                "ferry.client.archive-dir", "ferry.client.failed-dir", "ferry.client.outbox");
    }

    @Test
    void isEmptyForTheSameSettingsLoadedTwice() {
        SettingsChanges changes = SettingsChanges.between(TestSettings.load(), TestSettings.load());

        assertThat(changes.isEmpty()).isTrue();
    }

    @Test
    void rendersListsAndNeverShowsTheValueOfASecret() {
        SettingsChanges.Change list = new SettingsChanges.Change("ferry.server.accept", "[]", "[\"cp2\",\"plain\"]");
        SettingsChanges.Change secret = new SettingsChanges.Change("ferry.vault.password", "hunter2", "hunter3");
        SettingsChanges.Change added = new SettingsChanges.Change("ferry.x.y", null, "1");

        assertThat(list).hasToString("ferry.server.accept ([] -> [\"cp2\",\"plain\"])");
        assertThat(secret).hasToString("ferry.vault.password");
        assertThat(added).hasToString("ferry.x.y (unset -> 1)");
    }

    @Test
    void onlyMetricsSettingsWaitForTheNextRestart() {
        assertThat(new SettingsChanges.Change("ferry.metrics.port", "9464", "9465").atRestart()).isTrue();
        assertThat(new SettingsChanges.Change("ferry.security.protocol", "plain", "cp2").atRestart()).isFalse();
        assertThat(new SettingsChanges.Change("ferry.config.watch", "true", "false").atRestart()).isFalse();
    }
}
