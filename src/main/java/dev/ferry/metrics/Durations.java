package dev.ferry.metrics;

import java.time.Duration;

/** Durations as a person reads them in a health reason or a status line: "350ms", "42s", "5m 3s", "2h 5m", "3d 4h". */
final class Durations {
    private Durations() {
    }

    static String human(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        long hours = minutes / 60;
        if (hours < 24) {
            return hours + "h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + "m");
        }
        return hours / 24 + "d" + (hours % 24 == 0 ? "" : " " + hours % 24 + "h");
    }
}
