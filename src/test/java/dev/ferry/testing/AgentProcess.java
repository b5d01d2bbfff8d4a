package dev.ferry.testing;

import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Ferry agent in a JVM of its own, started from this test run's class path, so a test can kill
 * it (SIGKILL, by PID) at any point. Its output goes to a log file in its working folder.
 */
public final class AgentProcess implements AutoCloseable {
    private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m");

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code ferry <command>} in {@code workDir} with the given {@code -D} settings.
     *
     * @param settings pairs of key and value
     */
    public static AgentProcess start(Path workDir, String command, String... settings) throws IOException {
        return start(workDir, List.of(command), DEFAULT_JVM_OPTIONS, settings);
    }

    /**
     * As {@link #start(Path, String, String...)}, with these JVM options instead of the default
     * heap limit, e.g. {@code -Xmx64m} or {@code -Ddev.ferry.test.kill-at=server.before-publish}.
     */
    public static AgentProcess start(Path workDir, String command, List<String> jvmOptions, String... settings)
            throws IOException {
        return start(workDir, List.of(command), jvmOptions, settings);
    }

    /**
     * Starts {@code ferry <arguments>} in {@code workDir} with the given {@code -D} settings, e.g.
     * {@code List.of("server", "--config", file)}: settings in that file can then be edited while it runs
     * ({@code -D} would override them).
     *
     * @param settings pairs of key and value
     */
    public static AgentProcess start(Path workDir, List<String> arguments, String... settings) throws IOException {
        return start(workDir, arguments, DEFAULT_JVM_OPTIONS, settings);
    }

    /**
     * As {@link #start(Path, List, String...)}, under {@code nohup}: the agent starts with SIGHUP
     * ignored, as when a user starts it that way.
     */
    public static AgentProcess startUnderNohup(Path workDir, List<String> arguments, String... settings)
            throws IOException {
        return start(workDir, List.of("nohup"), arguments, DEFAULT_JVM_OPTIONS, settings);
    }

    private static AgentProcess start(Path workDir, List<String> arguments, List<String> jvmOptions,
                                      String... settings) throws IOException {
        // A child inherits an ignored SIGHUP (a build run under nohup) and could then never be sent one.
        List<String> launcher = hangupIgnoredHere() ? List.of("env", "--default-signal=HUP") : List.of();
        return start(workDir, launcher, arguments, jvmOptions, settings);
    }

    private static AgentProcess start(Path workDir, List<String> launcher, List<String> arguments,
                                      List<String> jvmOptions, String... settings) throws IOException {
        String command = arguments.get(0);
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        for (int i = 0; i < settings.length; i += 2) {
            cmd.add("-D" + settings[i] + "=" + settings[i + 1]);
        }
        cmd.add("dev.ferry.cli.Main");
        cmd.addAll(arguments);
        Files.createDirectories(workDir);
        Path log = workDir.resolve(command + "-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new AgentProcess(process, log);
    }

    /** Whether this JVM ignores SIGHUP: bit 0 of the {@code SigIgn} mask in /proc (Linux; false elsewhere). */
    private static boolean hangupIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("SigIgn:"))
                .anyMatch(line -> (Long.parseLong(line.substring("SigIgn:".length()).trim(), 16) & 1) != 0);
    }

    /** Waits until the agent's log contains {@code text}. */
    public AgentProcess awaitLog(String text, Duration atMost) throws IOException {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("agent exited with " + process.exitValue() + ":\n" + log());
                }
                return log().contains(text);
            });
        } catch (ConditionTimeoutException e) {
            // The log lives in the test's temporary folder, gone once the test ends: keep it in the failure.
            throw new AssertionError("'" + text + "' not in the agent's log within " + atMost + "; the log:\n" + log(),
                    e);
        }
        return this;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits at most {@code atMost} for the agent to exit by itself; its exit status, or empty if it still runs. */
    public OptionalInt awaitExit(Duration atMost) throws InterruptedException {
        return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /** Sends SIGHUP by PID (the agent reloads its configuration). */
    public void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -HUP " + process.pid() + " failed");
        }
    }

    /** SIGKILL by PID, and waits for the process to be gone. */
    public void kill() throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM by PID; returns the exit code. */
    public int terminate(Duration atMost) throws InterruptedException {
        ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("agent " + process.pid() + " did not stop within " + atMost);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
