package dev.ferry.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** FIFOs and device files for tests of what an outbox may hold, made with the system's commands. */
public final class SpecialFiles {
    private SpecialFiles() {
    }

    /** A FIFO at {@code path}; false when it cannot be made here (no mkfifo). */
    public static boolean mkfifo(Path path) throws InterruptedException {
        return run(List.of("mkfifo", path.toString()));
    }

    /** A character device like /dev/null (1, 3) at {@code path}; false when this process may not make one (root or CAP_MKNOD). */
    public static boolean mknodNull(Path path) throws InterruptedException {
        return run(List.of("mknod", path.toString(), "c", "1", "3"));
    }

    private static boolean run(List<String> command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).inheritIO().start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
