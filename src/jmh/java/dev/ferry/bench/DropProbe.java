package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Times Ferry the way a user sees it, for bench/run.sh: from the rename that makes a complete file
 * appear in the outbox to the moment it is published in the inbox (the server publishes by atomic
 * rename, so the final name means complete). Pure JDK, no Ferry classes: it only watches folders.
 *
 * <pre>
 * DropProbe file    STAGED TARGET INBOX_FILE SIZE      rename STAGED to TARGET, wait for INBOX_FILE of SIZE bytes
 * DropProbe folder  STAGED TARGET INBOX_FOLDER COUNT   rename a staged folder, wait for COUNT files in INBOX_FOLDER
 * DropProbe latency SOURCE OUTBOX INBOX COUNT PREFIX   COUNT files one at a time (PREFIX-i.part written, renamed)
 * </pre>
 * Prints one line of {@code key=value} fields; exits 1 when {@code ferry.bench.timeout} (seconds,
 * default 900) passes first. The staged path must be on the outbox's file system (a hard link).
 * With {@code -Dferry.bench.samples=FILE}, latency also writes every file's time there, in drop
 * order (which drops were slow is what a profile or the agents' logs are then read for).
 */
public final class DropProbe {
    private static final long FILE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    // Listing a folder of thousands of names costs CPU the agents share; 10 ms is under 1% of the
    // shortest run this times.
    private static final long FOLDER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    // Latencies are tens of milliseconds: a stat every half millisecond keeps the error below 1 ms.
    private static final long LATENCY_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final long deadlineNanos;

    private DropProbe(long timeoutSeconds) {
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    public static void main(String[] args) throws Exception {
        int expected = args.length > 0 && "latency".equals(args[0]) ? 6 : 5;
        if (args.length != expected) {
            System.err.println("usage: DropProbe file|folder|latency ARG... (see the class comment)");
            System.exit(2);
        }
        DropProbe probe = new DropProbe(Long.getLong("ferry.bench.timeout", 900));
        String line = switch (args[0]) {
            case "file" -> probe.file(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Long.parseLong(args[4]));
            case "folder" -> probe.folder(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]));
            case "latency" -> probe.latency(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]),
                    Integer.parseInt(args[4]), args[5]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + "; expected file, folder or latency");
        };
        System.out.println(line);
    }

    private String file(Path staged, Path target, Path inboxFile, long size) throws IOException {
        long start = System.nanoTime();
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        while (sizeOf(inboxFile) != size) {
            pause(FILE_POLL_NANOS, inboxFile + " with " + size + " bytes");
        }
        return String.format(Locale.ROOT, "seconds=%.4f", (System.nanoTime() - start) / 1e9);
    }

    private String folder(Path staged, Path target, Path inboxFolder, int count) throws IOException {
        long start = System.nanoTime();
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        while (countFiles(inboxFolder) < count) {
            pause(FOLDER_POLL_NANOS, count + " files in " + inboxFolder);
        }
        return String.format(Locale.ROOT, "seconds=%.4f", (System.nanoTime() - start) / 1e9);
    }

    private String latency(Path source, Path outbox, Path inbox, int count, String prefix) throws IOException {
        byte[] content = Files.readAllBytes(source);
        // A pseudo-random pause between files samples every phase of the client's settle ticks
        // instead of locking onto one; seeded, so every run drops on the same schedule.
        Random gaps = new Random(42);
        double[] millis = new double[count];
        StringBuilder samples = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i + ".bin";
            Path part = outbox.resolve(name + ".part");
            Path dropped = outbox.resolve(name);
            Files.write(part, content);
            long start = System.nanoTime();
            Files.move(part, dropped, StandardCopyOption.ATOMIC_MOVE);
            Path arrived = inbox.resolve(name);
            while (sizeOf(arrived) != content.length) {
                pause(LATENCY_POLL_NANOS, arrived.toString());
            }
            millis[i] = (System.nanoTime() - start) / 1e6;
            samples.append(name).append(' ').append(String.format(Locale.ROOT, "%.2f", millis[i])).append('\n');
            // The client deletes its copy once the server confirmed: the next file starts on an idle client.
            while (Files.exists(dropped)) {
                pause(FILE_POLL_NANOS, "the client to delete " + dropped);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(gaps.nextInt(50)));
        }
        String samplesFile = System.getProperty("ferry.bench.samples");
        if (samplesFile != null) {
            Files.writeString(Path.of(samplesFile), samples);
        }
        Arrays.sort(millis);
        double mean = Arrays.stream(millis).average().orElse(0);
        return String.format(Locale.ROOT, "count=%d p50_ms=%.1f p99_ms=%.1f min_ms=%.1f max_ms=%.1f mean_ms=%.1f",
                count, rank(millis, 0.50), rank(millis, 0.99), millis[0], millis[count - 1], mean);
    }

    /** The nearest-rank percentile of sorted values. */
    private static double rank(double[] sorted, double fraction) {
        int index = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static long sizeOf(Path path) throws IOException {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    private static int countFiles(Path folder) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path ignored : entries) {
                n++;
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        return n;
    }

    private void pause(long nanos, String waitingFor) {
        if (System.nanoTime() > deadlineNanos) {
            System.err.println("DropProbe: timed out waiting for " + waitingFor + " (-Dferry.bench.timeout)");
            System.exit(1);
        }
        LockSupport.parkNanos(nanos);
    }
}
