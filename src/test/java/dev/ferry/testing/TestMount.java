package dev.ferry.testing;

import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A file system mounted for one test on Linux: a small tmpfs that can be filled, or a folder bound
 * read-only over itself. Tests run as root here, and root ignores permission bits, so a read-only
 * mount is what really makes writes fail. Mounting needs root (or CAP_SYS_ADMIN); where it is
 * impossible the test is skipped with the reason. The test thread owns it; {@link #close()}
 * unmounts, lazily if something still holds the mount.
 */
public final class TestMount implements AutoCloseable {
    private static final long COMMAND_SECONDS = 10;

    private final Path dir;
    private boolean mounted = true;

    private TestMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (as mount(8) takes it, e.g. {@code 8m}) on {@code dir}, creating it. */
    public static TestMount tmpfs(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        requireMount("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        return new TestMount(dir);
    }

    /**
     * Binds {@code dir} over itself read-only: creating, writing or renaming anything under it fails
     * with "Read-only file system", even for root, while files opened for writing before stay writable.
     */
    public static TestMount readOnly(Path dir) throws IOException, InterruptedException {
        requireMount("mount", "--bind", dir.toString(), dir.toString());
        TestMount mount = new TestMount(dir);
        Result remount = run("mount", "-o", "remount,bind,ro", dir.toString());
        if (remount.exit() != 0) {
            mount.close();
            assumeTrue(false, () -> "cannot make a bind mount read-only here, skipped: " + remount);
        }
        return mount;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Unmounts; what was written into a tmpfs is gone. Idempotent.
     *
     * @throws IllegalStateException umount(8) could not be run at all
     */
    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        mounted = false;
        try {
            if (run("umount", dir.toString()).exit() != 0) {
                run("umount", "-l", dir.toString());
            }
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot unmount " + dir + ": " + e, e);
        }
    }

    private static void requireMount(String... command) throws IOException, InterruptedException {
        assumeTrue(OS.current() == OS.LINUX, () -> "mounting is tried on Linux only, this is " + OS.current());
        Result result;
        try {
            result = run(command);
        } catch (IOException e) {
            assumeTrue(false, () -> "cannot run mount(8) here, skipped: " + e.getMessage());
            return;
        }
        assumeTrue(result.exit() == 0, () -> "cannot mount here (needs root or CAP_SYS_ADMIN), skipped: " + result);
    }

    private record Result(List<String> command, int exit, String output) {
        @Override
        public String toString() {
            return String.join(" ", command) + " exited with " + exit + ": " + output.strip();
        }
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_SECONDS + "s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(List.of(command), process.exitValue(), output);
    }
}
