package dev.ferry.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects what Ferry's loggers ({@code dev.ferry} and below) write during a test, with the thread
 * that wrote each line, so a test can tell the server's lines (threads {@code ferry-conn-N} and
 * {@code ferry-commit-N}) from the client's ({@code ferry-send-N}, {@code ferry-replies-N}). Close
 * it to detach.
 */
public final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    /** One formatted line and who wrote it. */
    public record Line(String thread, Level level, String logger, String message) {
    }

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.ferry");
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogLines() {
    }

    public static LogLines capture() {
        LogLines capture = new LogLines();
        capture.setContext(capture.logger.getLoggerContext());
        capture.start();
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        // Read on the logging thread: the event's thread name is only filled in when first asked for.
        lines.add(new Line(Thread.currentThread().getName(), event.getLevel(), event.getLoggerName(),
                event.getFormattedMessage()));
    }

    /** Every line so far, in order. */
    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Messages at {@code level} written by the server's connection and commit threads. */
    public List<String> server(Level level) {
        return messages(level, "ferry-conn-", "ferry-commit-");
    }

    /** Messages at {@code level} written by the client agent's threads. */
    public List<String> client(Level level) {
        return messages(level, "ferry-send", "ferry-replies-");
    }

    /** Messages at {@code level} written by the logger {@code loggerName}, on any thread. */
    public List<String> of(Level level, String loggerName) {
        return lines.stream()
                .filter(line -> line.level().equals(level) && line.logger().equals(loggerName))
                .map(Line::message)
                .toList();
    }

    private List<String> messages(Level level, String... threadPrefixes) {
        return lines.stream()
                .filter(line -> line.level().equals(level))
                .filter(line -> List.of(threadPrefixes).stream().anyMatch(line.thread()::startsWith))
                .map(Line::message)
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
