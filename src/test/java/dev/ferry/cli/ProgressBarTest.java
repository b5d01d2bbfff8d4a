package dev.ferry.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {
    @Test
    void drawsNameBarPercentBytesAndRateInPlaceOnATerminal() {
        StringWriter screen = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(screen), "report.pdf");

        bar.sent(0, 3 << 20);
        bar.sent(3 << 20, 3 << 20);

        String[] frames = screen.toString().split("\r", -1);
        assertThat(frames[1]).startsWith("report.pdf").contains("[------------------------]   0%", "0 B/3.0 MiB");
        assertThat(frames[2]).contains("[########################] 100%", "3.0 MiB/3.0 MiB", "/s",
                "waiting for the server");
    }

    @Test
    void clearLeavesTheLineEmptyForTheResult() {
        StringWriter screen = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(screen), "a-very-long-file-name-that-does-not-fit.bin");

        bar.sent(100, 100);
        int drawn = screen.toString().length() - 1;
        bar.clear();

        assertThat(screen.toString()).startsWith("\r...").endsWith("\r" + " ".repeat(drawn) + "\r");
    }

    @Test
    void drawsNothingWithoutATerminal() {
        ProgressBar bar = new ProgressBar(null, "a.txt");

        bar.sent(0, 10);
        bar.sent(10, 10);
        bar.clear();

        assertThat(bar.rate()).isPositive();
    }

    @Test
    void formatsBytesAndDurationsForPeople() {
        assertThat(ProgressBar.bytes(512)).isEqualTo("512 B");
        assertThat(ProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressBar.bytes(2L << 30)).isEqualTo("2.0 GiB");
        assertThat(ProgressBar.human(Duration.ofMillis(420))).isEqualTo("0.4s");
        assertThat(ProgressBar.human(Duration.ofSeconds(185))).isEqualTo("3m 5s");
        assertThat(ProgressBar.human(Duration.ofMinutes(130))).isEqualTo("2h 10m");
    }
}
