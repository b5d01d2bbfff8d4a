package dev.ferry.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (agents, proxies, metrics endpoints), closed in reverse order after each
 * test. Register it on an instance field: {@code @RegisterExtension final Running running = new
 * Running();}. A test class that must release more after its agents (mounts, log captures) calls
 * {@link #close()} first in its own {@code @AfterEach}; closing twice does nothing.
 */
public final class Running implements AfterEachCallback, AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();

    /** Registers {@code closeable} to be closed after the test; returns it. */
    public <T extends AutoCloseable> T add(T closeable) {
        started.add(closeable);
        return closeable;
    }

    /** Forgets {@code closeable}: the test closed it itself. */
    public void remove(AutoCloseable closeable) {
        started.remove(closeable);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    /** Closes everything registered, newest first. */
    @Override
    public void close() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.remove(i).close();
        }
    }
}
