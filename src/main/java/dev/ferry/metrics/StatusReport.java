package dev.ferry.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code ferry status} prints: a running agent's {@code /health} and {@code /metrics}, read
 * once and summed up in a few lines for a person. Made on the caller's thread; an immutable value.
 */
public final class StatusReport {
    private final URI base;
    private final Health health;
    private final Samples samples;

    private StatusReport(URI base, Health health, Samples samples) {
        this.base = base;
        this.health = health;
        this.samples = samples;
    }

    /**
     * Reads the endpoint of the agent listening on {@code host:port} (an agent listening on every
     * interface is asked on loopback).
     *
     * @throws IOException the endpoint cannot be reached or does not answer as a Ferry agent; the
     *                     message says where it looked
     */
    public static StatusReport fetch(String host, int port, Duration timeout) throws IOException {
        Objects.requireNonNull(host, "host");
        URI base;
        try {
            base = new URI("http", null, loopbackFor(host), port, "/", null, null);
        } catch (URISyntaxException e) {
            throw new IOException("cannot make an address of ferry.metrics.host = " + host + ": " + e.getMessage(), e);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpResponse<String> health;
        HttpResponse<String> metrics;
        try {
            health = get(client, base.resolve("/health"), timeout);
            metrics = get(client, base.resolve("/metrics"), timeout);
        } catch (IOException e) {
            throw new IOException("cannot reach the agent's metrics endpoint at " + base + " (" + e + "): is the agent"
                    + " running with ferry.metrics.enabled = true and this ferry.metrics.host and port?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + base, e);
        }
        if (metrics.statusCode() != 200 || (health.statusCode() != 200 && health.statusCode() != 503)) {
            throw new IOException("the endpoint at " + base + " answered HTTP " + health.statusCode() + " and "
                    + metrics.statusCode() + ": is it a Ferry agent's metrics port (ferry.metrics.port)?");
        }
        return new StatusReport(base, parseHealth(health.body(), base), parse(metrics.body(), base));
    }

    private static String loopbackFor(String host) {
        return switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> host;
        };
    }

    private static HttpResponse<String> get(HttpClient client, URI uri, Duration timeout)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Samples parse(String body, URI base) throws IOException {
        try {
            return Samples.parse(body);
        } catch (IllegalArgumentException e) {
            throw new IOException("the endpoint at " + base + " serves no Prometheus text on /metrics: "
                    + e.getMessage(), e);
        }
    }

    static Health parseHealth(String body, URI base) throws IOException {
        String status = null;
        String reason = null;
        try (JsonParser in = new JsonFactory().createParser(body)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String field = in.currentName();
                in.nextToken();
                if (field.equals("status")) {
                    status = in.getValueAsString();
                } else if (field.equals("reason")) {
                    reason = in.getValueAsString();
                } else {
                    in.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IOException("the endpoint at " + base + " serves no Ferry health on /health: "
                    + e.getMessage(), e);
        }
        if ("ok".equals(status)) {
            return new Health(Health.Status.OK, null);
        }
        if ("degraded".equals(status)) {
            return new Health(Health.Status.DEGRADED, reason == null ? "no reason given" : reason);
        }
        throw new IOException("the endpoint at " + base + " says status '" + status + "' on /health,"
                + " expected ok or degraded");
    }

    public Health health() {
        return health;
    }

    public Samples samples() {
        return samples;
    }

    /** The summary, one line each: the endpoint and its health, then each role that runs. */
    public List<String> lines(Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add("agent " + base + ": " + (health.ok() ? "ok" : "degraded: " + health.reason()));
        boolean client = running("client");
        boolean server = running("server");
        if (!client && !server) {
            lines.add("no agent runs in that process (starting or stopped)");
        }
        if (client) {
            String protocol = samples.label("ferry_client_files_delivered_total", "protocol");
            lines.add("client" + (protocol == null ? "" : " (" + protocol + ")") + ": "
                    + count("ferry_client_files_queued") + " queued in the outbox, "
                    + count("ferry_client_files_in_flight") + " in flight, "
                    + (samples.sum("ferry_client_connections") > 0 ? "connected" : "not connected"));
            lines.add("  delivered " + files("ferry_client_files_delivered_total") + " ("
                    + bytes(samples.sum("ferry_client_delivered_bytes_total")) + "), "
                    + count("ferry_client_files_failed_total") + " failed, "
                    + count("ferry_client_files_retried_total") + " sent again, "
                    + count("ferry_client_connect_failures_total") + " failed connection attempts");
            lines.add("  last delivered: " + when(samples.sum("ferry_client_last_delivered_timestamp_seconds"), now));
        }
        if (server) {
            lines.add("server: " + plural(count("ferry_server_connections"), "connection") + " open, "
                    + plural(count("ferry_server_files_receiving"), "file") + " being received");
            lines.add("  stored " + files("ferry_server_files_stored_total") + " ("
                    + bytes(samples.sum("ferry_server_stored_bytes_total")) + "), "
                    + count("ferry_server_files_duplicate_total") + " duplicates, "
                    + count("ferry_server_files_refused_total") + " refused, "
                    + count("ferry_server_handshake_failures_total") + " failed handshakes");
            lines.add("  last stored: " + when(samples.sum("ferry_server_last_stored_timestamp_seconds"), now));
        }
        return lines;
    }

    private boolean running(String role) {
        return samples.sum("ferry_agent_up", labels -> role.equals(labels.get("role"))) > 0;
    }

    private String count(String name) {
        return Long.toString(Math.round(samples.sum(name)));
    }

    private String files(String name) {
        return plural(count(name), "file");
    }

    private static String plural(String count, String noun) {
        return count + " " + noun + (count.equals("1") ? "" : "s");
    }

    private static String when(double epochSeconds, Instant now) {
        if (!(epochSeconds > 0)) {
            return "never since the agent started";
        }
        Instant at = Instant.ofEpochMilli(Math.round(epochSeconds * 1000)).truncatedTo(ChronoUnit.SECONDS);
        return at + " (" + Durations.human(Duration.between(at, now)) + " ago)";
    }

    static String bytes(double value) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? Math.round(value) + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
