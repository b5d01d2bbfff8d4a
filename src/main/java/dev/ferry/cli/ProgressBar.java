package dev.ferry.cli;

import dev.ferry.transfer.Pusher;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The progress of one file in {@code ferry send}. On a terminal, a bar on one line of standard
 * error, redrawn in place at most ten times a second: name, bar, percentage, bytes, rate, ETA.
 * Elsewhere it draws nothing and only measures, for the file's result line. Used by the thread
 * that pushes.
 */
final class ProgressBar implements Pusher.Progress {
    private static final int BAR = 24;
    private static final int NAME = 24;
    private static final long REDRAW_NANOS = 100_000_000;

    private final PrintWriter terminal;
    private final String name;
    private final long startNanos = System.nanoTime();
    private long firstSent = -1;
    private long sent;
    private long lastDrawNanos;
    private int drawn;

    /** @param terminal where to draw the bar, or null to draw nothing */
    ProgressBar(PrintWriter terminal, String name) {
        this.terminal = terminal;
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public void sent(long bytes, long size) {
        if (firstSent < 0) {
            firstSent = bytes;
        }
        sent = bytes;
        long now = System.nanoTime();
        if (terminal != null && (bytes == size || now - lastDrawNanos >= REDRAW_NANOS)) {
            lastDrawNanos = now;
            String line = line(bytes, size, now);
            terminal.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
            terminal.flush();
            drawn = line.length();
        }
    }

    /** Removes the bar, so that the file's result line takes its place. */
    void clear() {
        if (terminal != null && drawn > 0) {
            terminal.print("\r" + " ".repeat(drawn) + "\r");
            terminal.flush();
            drawn = 0;
        }
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Bytes per second sent in this run (a resumed file's held bytes do not count). */
    double rate() {
        long nanos = Math.max(1, System.nanoTime() - startNanos);
        return Math.max(0, sent - Math.max(0, firstSent)) * 1e9 / nanos;
    }

    private String line(long bytes, long size, long now) {
        double fraction = size == 0 ? 1 : (double) bytes / size;
        int filled = (int) Math.round(fraction * BAR);
        double rate = rate();
        String eta = bytes >= size ? "waiting for the server"
                : rate > 0 ? "ETA " + human(Duration.ofSeconds(Math.round((size - bytes) / rate))) : "ETA -";
        String shown = name.length() <= NAME ? name : "..." + name.substring(name.length() - NAME + 3);
        return String.format(Locale.ROOT, "%-" + NAME + "s [%s%s] %3d%% %s/%s %s/s %s", shown, "#".repeat(filled),
                "-".repeat(BAR - filled), Math.round(fraction * 100), bytes(bytes), bytes(size), bytes(rate), eta);
    }

    /** 512 B, 1.5 KiB, 12.3 MiB, 2.0 GiB. */
    static String bytes(double value) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Math.round(value) + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** 0.4s, 12s, 3m 5s, 2h 10m. */
    static String human(Duration d) {
        long millis = d.toMillis();
        if (millis < 10_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = d.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
    }
}
