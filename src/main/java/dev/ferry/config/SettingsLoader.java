package dev.ferry.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Reads Ferry's configuration once: {@code reference.conf} (every default), the user's file,
 * environment variables, then {@code -D} system properties, each overriding the one before.
 * Validates every value eagerly and reports an unknown {@code ferry.} key, so a typo never falls
 * back to a default silently.
 */
public final class SettingsLoader {
    /** Environment variables and the key each one sets. */
    public static final Map<String, String> ENVIRONMENT = Map.of(
            "FERRY_SERVER_HOST", "ferry.server.host",
            "FERRY_SERVER_PORT", "ferry.server.port",
            "FERRY_INBOX", "ferry.server.inbox",
            "FERRY_CLIENT_SERVER_HOST", "ferry.client.server-host",
            "FERRY_CLIENT_SERVER_PORT", "ferry.client.server-port",
            "FERRY_OUTBOX", "ferry.client.outbox");

    private static final long MIB = 1024 * 1024;

    private final Map<String, String> environment;
    private final Properties systemProperties;
    private final Supplier<String> hostName;

    /** A loader reading this process's environment and system properties. */
    public SettingsLoader() {
        this(System.getenv(), System.getProperties(), SettingsLoader::localHostName);
    }

    /** A loader with the given environment and properties (for tests). */
    public SettingsLoader(Map<String, String> environment, Properties systemProperties, Supplier<String> hostName) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.hostName = Objects.requireNonNull(hostName, "hostName");
    }

    /**
     * A loader that reads {@code properties} as if they were given with {@code -D}, over those of
     * this one (for command options such as {@code ferry send --to}).
     */
    public SettingsLoader overriding(Map<String, String> properties) {
        Properties merged = new Properties();
        merged.putAll(systemProperties);
        properties.forEach(merged::setProperty);
        return new SettingsLoader(environment, merged, hostName);
    }

    /**
     * Loads and validates.
     *
     * @param file the user's file; when {@code required} is false and it does not exist, defaults apply
     */
    public FerrySettings load(Path file, boolean required) throws SettingsException {
        Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config user = ConfigFactory.empty();
        String source = "defaults";
        if (Files.exists(file)) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new SettingsException("configuration file " + file + " is not a readable file");
            }
            try {
                user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new SettingsException("configuration file " + file + " cannot be parsed: " + e.getMessage(), e);
            }
            source = file.toString();
        } else if (required) {
            throw new SettingsException("configuration file " + file + " does not exist; give an existing"
                    + " file with --config, or leave --config out to use conf/ferry.conf");
        }
        Config env = ConfigFactory.parseMap(environmentOverrides(), "environment variables");
        Config props = ConfigFactory.parseProperties(ferryProperties(), ConfigParseOptions.defaults()
                .setOriginDescription("system properties (-D)"));
        List<String> unknown = new ArrayList<>();
        UnknownKeys.report(props, reference, unknown);
        UnknownKeys.report(user, reference, unknown);
        if (!unknown.isEmpty()) {
            throw new SettingsException(String.join("\n", unknown));
        }
        Config merged;
        try {
            merged = props.withFallback(env).withFallback(user).withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage(), e);
        }
        return build(merged, source);
    }

    private Map<String, Object> environmentOverrides() {
        Map<String, Object> values = new LinkedHashMap<>();
        ENVIRONMENT.forEach((variable, key) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                values.put(key, value);
            }
        });
        return values;
    }

    private Properties ferryProperties() {
        Properties ferry = new Properties();
        for (String name : systemProperties.stringPropertyNames()) {
            if (name.startsWith("ferry.")) {
                ferry.setProperty(name, systemProperties.getProperty(name));
            }
        }
        return ferry;
    }

    private FerrySettings build(Config c, String source) throws SettingsException {
        ConfigValues v = new ConfigValues(c);
        String protocol = v.token("ferry.security.protocol");
        List<String> accept = v.tokens("ferry.server.accept");
        ServerSettings server = new ServerSettings(
                v.string("ferry.server.host"),
                v.intRange("ferry.server.port", 0, 65535),
                v.path("ferry.server.inbox"),
                v.choice("ferry.server.on-conflict", ConflictPolicy.class),
                v.intRange("ferry.server.max-connections", 1, 10_000),
                v.intRange("ferry.server.commit-threads", 1, 256),
                v.bytes("ferry.server.max-file-size", 0, Long.MAX_VALUE),
                (int) v.bytes("ferry.server.max-block", 64 * 1024, 16 * MIB),
                v.bytes("ferry.server.seed-max-file-size", 0, 1024 * MIB),
                v.bytes("ferry.server.min-free-space", 0, Long.MAX_VALUE),
                v.duration("ferry.server.handshake-timeout", Duration.ofMillis(100), Duration.ofHours(1)),
                v.duration("ferry.server.idle-timeout", Duration.ofSeconds(1), Duration.ofDays(1)),
                v.duration("ferry.server.frame-timeout", Duration.ofMillis(100), Duration.ofHours(1)),
                v.bytes("ferry.server.min-rate", 1, Long.MAX_VALUE),
                accept.isEmpty() ? List.of(protocol) : accept,
                v.duration("ferry.server.receipts.retention", Duration.ofMinutes(1), Duration.ofDays(3650)),
                v.bytes("ferry.server.resume.checkpoint", MIB, 1024 * MIB),
                v.duration("ferry.server.resume.retention", Duration.ofMinutes(1), Duration.ofDays(365)),
                v.duration("ferry.server.shutdown-grace", Duration.ZERO, Duration.ofMinutes(10)));
        String name = v.string("ferry.client.name").trim();
        Duration retryInitial = v.duration("ferry.client.retry.initial", Duration.ofMillis(10), Duration.ofHours(1));
        Duration retryMax = v.duration("ferry.client.retry.max", Duration.ofMillis(10), Duration.ofDays(1));
        if (retryMax.compareTo(retryInitial) < 0) {
            throw v.bad("ferry.client.retry.max", "must not be shorter than ferry.client.retry.initial ("
                    + retryInitial + ")");
        }
        ClientSettings client = new ClientSettings(
                name.isEmpty() ? hostName.get() : name,
                v.string("ferry.client.server-host"),
                v.intRange("ferry.client.server-port", 1, 65535),
                v.path("ferry.client.outbox"),
                v.choice("ferry.client.after-send", AfterSendMode.class),
                v.path("ferry.client.archive-dir"),
                v.path("ferry.client.failed-dir"),
                v.duration("ferry.client.settle-time", Duration.ZERO, Duration.ofHours(1)),
                v.duration("ferry.client.rescan-interval", Duration.ofSeconds(1), Duration.ofDays(1)),
                v.strings("ferry.client.exclude"),
                retryInitial,
                retryMax,
                v.intRange("ferry.client.integrity-retries", 0, 100),
                v.bytes("ferry.client.resume-threshold", 0, Long.MAX_VALUE),
                (int) v.bytes("ferry.client.block-size", 4 * 1024, 16 * MIB),
                v.intRange("ferry.client.window", 1, 1024),
                v.intRange("ferry.client.connections", 1, 64),
                v.duration("ferry.client.connect-timeout", Duration.ofMillis(100), Duration.ofMinutes(10)),
                v.duration("ferry.client.reply-timeout", Duration.ofSeconds(1), Duration.ofHours(1)),
                v.duration("ferry.client.idle-close", Duration.ofMillis(100), Duration.ofDays(1)),
                v.bool("ferry.client.compat"),
                v.bytes("ferry.client.compat-max-file-size", 0, 1024 * MIB),
                v.duration("ferry.client.shutdown-grace", Duration.ZERO, Duration.ofMinutes(10)));
        Path caCert = v.path("ferry.security.ca-cert");
        String expected = v.string("ferry.security.expected-server-name").trim();
        String clientCa = v.string("ferry.server.client-ca").trim();
        SecuritySettings security = new SecuritySettings(protocol, caCert,
                v.path("ferry.security.server-cert"),
                v.path("ferry.security.server-key"),
                expected.isEmpty() ? client.serverHost() : expected,
                v.optionalPath("ferry.security.client-cert"),
                v.optionalPath("ferry.security.client-key"),
                v.intRange("ferry.security.min-rsa-bits", 1024, 16384),
                v.bool("ferry.server.require-client-certificate"),
                clientCa.isEmpty() ? caCert : Path.of(clientCa),
                v.strings("ferry.server.allowed-clients"));
        if (security.clientCert().isPresent() != security.clientKey().isPresent()) {
            throw v.bad("ferry.security.client-cert", "client-cert and client-key go together: set both or neither");
        }
        MetricsSettings metrics = new MetricsSettings(
                v.bool("ferry.metrics.enabled"),
                v.address("ferry.metrics.host"),
                v.intRange("ferry.metrics.port", 0, 65535),
                v.duration("ferry.metrics.unreachable-after", Duration.ofMillis(100), Duration.ofDays(7)));
        ReloadSettings reload = new ReloadSettings(
                v.bool("ferry.config.watch"),
                v.duration("ferry.config.reload-debounce", Duration.ofMillis(50), Duration.ofMinutes(1)));
        return new FerrySettings(server, client, security, metrics, reload, v.path("ferry.plugins.dir"), source, c);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "ferry-client";
        }
    }
}
