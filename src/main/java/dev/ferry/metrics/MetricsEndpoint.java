package dev.ferry.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The monitoring endpoint, served by the JDK's HTTP server on one thread ({@code ferry-metrics}):
 * {@code GET /metrics} (Prometheus text format 0.0.4) and {@code GET /health} (JSON; 200 when ok,
 * 503 when degraded). Anything else is 404 (405 for another method). Read-only: nothing a request
 * says changes the agent. Started by {@link #start}, stopped by {@link #close} from the owner's thread.
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    /** Writes the current scrape to a stream. */
    @FunctionalInterface
    interface Scrape {
        void writeTo(OutputStream out) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsEndpoint(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    static MetricsEndpoint start(String host, int port, Scrape metrics, Supplier<Health> health) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(health, "health");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage()
                    + " (is another agent using it? change ferry.metrics.port)", e);
        }
        server.createContext("/", exchange -> serve(exchange, metrics, health));
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ferry-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.start();
        return new MetricsEndpoint(server, thread);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, Scrape metrics, Supplier<Health> health) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals("/metrics") && !path.equals("/health")) {
                send(exchange, 404, "text/plain; charset=utf-8",
                        "not found: this endpoint serves /metrics and /health\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8",
                        ("method " + method + " not allowed\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/metrics")) {
                ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
                metrics.writeTo(body);
                send(exchange, 200, PROMETHEUS_TEXT, body.toByteArray());
            } else {
                Health now = health.get();
                send(exchange, now.ok() ? 200 : 503, "application/json", now.json());
            }
        } catch (IOException e) {
            log.debug("metrics request failed: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("metrics request failed", e);
            try {
                send(exchange, 500, "text/plain; charset=utf-8", "internal error\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // The response may already have started; the client sees a cut-off answer.
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
