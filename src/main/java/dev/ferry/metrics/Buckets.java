package dev.ferry.metrics;

import java.time.Duration;

/** The fixed histogram buckets of Ferry's timers: few enough to keep a scrape small. */
final class Buckets {
    /** A file's transfer: from a small file on loopback to a large one over a slow link. */
    static final Duration[] TRANSFER = {
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2)};

    private Buckets() {
    }
}
