package dev.ferry.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.config.ConflictPolicy;
import dev.ferry.security.SecurityContext;
import dev.ferry.security.SeedRecording;
import dev.ferry.security.ServerSecurity;
import dev.ferry.security.plain.PlainPlugin;
import dev.ferry.security.rsa.SeedSignatures;
import dev.ferry.server.Inbox;
import dev.ferry.server.InboxNames;
import dev.ferry.server.InboxStore;
import dev.ferry.server.PartialFiles;
import dev.ferry.server.Receipts;
import dev.ferry.testing.Servers;
import dev.ferry.testing.TestSettings;
import dev.ferry.transfer.KeyValues;
import dev.ferry.transfer.ReceptionLimits;
import dev.ferry.transfer.ServerProtocols;
import dev.ferry.transfer.ServerSession;
import dev.ferry.transfer.SessionListener;
import dev.ferry.wire.Reply;
import dev.ferry.wire.ReplyStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Drives a whole server {@link ServerSession}, in memory, into a fresh inbox per input: native
 * sessions written by {@link SessionScript}, and arbitrary bytes into a {@code plain} server and
 * into a {@code cp2} server with the seed vectors' test key. Whatever the input, the session ends
 * normally or with an IOException, its answers are well-formed frames, no temporary file is left,
 * every file in the inbox has a valid name and is exactly what a client committed, and nothing the
 * server would log carries the peer's control characters unescaped (docs/FUZZING.md).
 */
class ServerSessionFuzzTest {
    private static final ReceptionLimits LIMITS =
            new ReceptionLimits(SessionScript.MAX_FILE_SIZE, SessionScript.MAX_BLOCK, 128 * 1024);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path runs;

    private static ServerProtocols plain;
    private static ServerProtocols cp2;
    private static byte[] certificate;
    private static PublicKey serverKey;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static Level ferryLevel;
    private static boolean ferryAdditive;

    @BeforeAll
    static void setUp() throws Exception {
        ServerSecurity plainSecurity = new PlainPlugin().server(SecurityContext.of(TestSettings.load()));
        plain = new ServerProtocols("plain", plainSecurity, Map.of("plain", plainSecurity));
        cp2 = Servers.protocols(TestSettings.load("ferry.security.protocol", "cp2",
                "ferry.security.server-cert", seedVector("server_signed.crt"),
                "ferry.security.server-key", seedVector("server_private_key.test-only.pem"),
                "ferry.security.ca-cert", seedVector("cacsertificate.crt")));
        certificate = SeedRecording.resource("server_signed.crt");
        serverKey = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate)).getPublicKey();
        // Every line is checked, none printed: thousands of sessions a second, most of them refused
        // on purpose, would fill the test output and slow the fuzzer down.
        Logger ferry = (Logger) LoggerFactory.getLogger("dev.ferry");
        ferryLevel = ferry.getLevel();
        ferryAdditive = ferry.isAdditive();
        ferry.setLevel(Level.DEBUG);
        ferry.setAdditive(false);
        LOG.start();
        ferry.addAppender(LOG);
    }

    @AfterAll
    static void restoreLogging() {
        Logger ferry = (Logger) LoggerFactory.getLogger("dev.ferry");
        ferry.detachAppender(LOG);
        LOG.stop();
        ferry.setAdditive(ferryAdditive);
        ferry.setLevel(ferryLevel);
    }

    private static String seedVector(String name) throws URISyntaxException {
        return Path.of(ServerSessionFuzzTest.class.getResource("/seed-vectors/" + name).toURI()).toString();
    }

    @FuzzTest(maxDuration = "4m")
    void generatedNativeSessionsStoreExactlyTheCommittedFiles(byte[] input) throws IOException {
        SessionScript script = SessionScript.generate(input);

        inFreshInbox(script.policy, inbox -> {
            byte[] output = serve(plain, inbox, script.clientBytes);

            List<Reply> replies = replies(output);
            if (script.acceptableHello) {
                assertThat(replies).as("answer to a valid HELLO").isNotEmpty();
                assertThat(replies.get(0).status()).isEqualTo(ReplyStatus.OK);
                assertThat(KeyValues.parse(replies.get(0).payload(), "HELLO answer"))
                        .containsEntry("ferry", "1").containsEntry("protocol", "plain")
                        .containsEntry("max-block", Integer.toString(SessionScript.MAX_BLOCK));
            }
            Map<String, SessionScript.SentFile> stored = checkFileReplies(replies, script.files);
            Map<String, byte[]> inboxFiles = inboxFiles(inbox.root());
            assertThat(inboxFiles.keySet()).as("files in the inbox").isEqualTo(stored.keySet());
            stored.forEach((name, sent) -> assertThat(inboxFiles.get(name)).as("content of %s", name)
                    .isEqualTo(sent.contentDigest()));
        });
    }

    @FuzzTest(maxDuration = "3m")
    void anyBytesIntoAPlainServerStoreOnlyCommittedFiles(byte[] input) throws IOException {
        List<Frame> frames = frames(input);
        boolean nativeSession = !frames.isEmpty() && frames.get(0).mode() == SessionScript.HELLO;

        inFreshInbox(ConflictPolicy.RENAME, inbox -> {
            byte[] output = serve(plain, inbox, input);

            Map<String, byte[]> inboxFiles = inboxFiles(inbox.root());
            Set<String> sentDigests;
            if (nativeSession) {
                List<Reply> replies = replies(output);
                List<String> stored = replies.stream().skip(1).filter(r -> r.status() == ReplyStatus.OK)
                        .map(Reply::text).toList();
                assertThat(stored).allSatisfy(text -> assertThat(text).matches("(stored|duplicate)=.*"));
                Set<String> storedNames = stored.stream().filter(text -> text.startsWith("stored="))
                        .map(text -> text.substring("stored=".length())).collect(Collectors.toSet());
                // A duplicate (the same COMMIT id again) names a file this session stored before.
                assertThat(stored.stream().filter(text -> text.startsWith("duplicate="))
                        .map(text -> text.substring("duplicate=".length()))).allMatch(storedNames::contains);
                assertThat(inboxFiles.keySet()).as("files in the inbox").isEqualTo(storedNames);
                sentDigests = payloads(frames, SessionScript.COMMIT).stream()
                        .filter(trailer -> trailer.length == 72)
                        .map(trailer -> HexFormat.of().formatHex(trailer, 8, 40)).collect(Collectors.toSet());
            } else {
                assertThat(output).as("a plain seed server never answers").isEmpty();
                sentDigests = payloads(frames, SessionScript.DATA).stream()
                        .map(data -> HexFormat.of().formatHex(SessionScript.sha256(data))).collect(Collectors.toSet());
            }
            inboxFiles.forEach((name, digest) -> assertThat(sentDigests).as("content of %s was sent", name)
                    .contains(HexFormat.of().formatHex(digest)));
        });
    }

    @FuzzTest(maxDuration = "3m")
    void anyBytesIntoACp2ServerLeaveOnlyCompleteFiles(byte[] input) throws IOException {
        List<Frame> frames = frames(input);
        boolean nativeSession = !frames.isEmpty() && frames.get(0).mode() == SessionScript.HELLO;

        inFreshInbox(ConflictPolicy.RENAME, inbox -> {
            byte[] output = serve(cp2, inbox, input);

            ByteBuffer answers = ByteBuffer.wrap(output);
            if (nativeSession && answers.hasRemaining()) {
                Reply hello = nextReply(answers);
                if (hello.status() != ReplyStatus.OK) {
                    assertThat(answers.hasRemaining()).as("output after a refusal").isFalse();
                }
            }
            List<byte[]> authMessages = payloads(frames, 3);
            for (int i = 0; answers.hasRemaining(); i++) {
                assertThat(i).as("AUTH answers").isLessThan(nativeSession ? 1 : authMessages.size());
                byte[] signature = sized(answers);
                assertThat(sized(answers)).as("certificate").isEqualTo(certificate);
                if (!nativeSession) {
                    assertThat(verifies(authMessages.get(i), signature)).as("signature of AUTH %d", i).isTrue();
                }
            }
            assertThat(inboxFiles(inbox.root()).size()).as("files stored")
                    .isLessThanOrEqualTo(payloads(frames, SessionScript.DATA).size());
        });
    }

    /**
     * Runs one session to its end; the IOExceptions a peer can cause end it as on a real connection.
     * What the server would log, including the message that ends the session, must not let the peer
     * start a line of its own or hide text (CWE-117): peer text appears escaped, as InboxNames.show does.
     */
    private static byte[] serve(ServerProtocols protocols, Inbox inbox, byte[] clientBytes) throws IOException {
        Path work = inbox.root().resolve(Inbox.WORK_DIR);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        LOG.list.clear();
        try (Receipts receipts = Receipts.open(work.resolve("receipts.log"), Duration.ofDays(1), Clock.systemUTC())) {
            InboxStore store = new InboxStore(inbox, receipts, new PartialFiles(work.resolve("partial"), 1 << 20), 0);
            ServerSession.Context context = new ServerSession.Context("fuzz", protocols, store, LIMITS,
                    SessionListener.NONE, RANDOM);
            new ServerSession(new ByteArrayInputStream(clientBytes), output, context).run();
        } catch (IOException expected) {
            // The server agent logs the message in one line and closes the connection.
            assertLoggable("message that ends the session", String.valueOf(expected.getMessage()));
        }
        LOG.list.forEach(event -> assertLoggable("log line", event.getFormattedMessage()));
        return output.toByteArray();
    }

    private static void assertLoggable(String what, String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int type = Character.getType(cp);
            assertThat(Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR)
                    .as("%s carries U+%04X unescaped: %s", what, cp, text.replaceAll("\\p{Cc}", "?")).isFalse();
            i += Character.charCount(cp);
        }
    }

    @FunctionalInterface
    private interface InboxCheck {
        void check(Inbox inbox) throws IOException;
    }

    /**
     * An empty inbox for one input, emptied again afterwards: fuzzing calls this thousands of times,
     * and creating and removing a whole folder tree each time would cost more than the session.
     */
    private static void inFreshInbox(ConflictPolicy policy, InboxCheck check) throws IOException {
        Path root = runs.resolve("inbox");
        Path temp = root.resolve(Inbox.WORK_DIR).resolve("tmp");
        try {
            Inbox inbox = new Inbox(root, policy);
            check.check(inbox);
            try (Stream<Path> left = Files.list(temp)) {
                assertThat(left.map(Path::toString)).as("temporary files left behind").isEmpty();
            }
        } finally {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    if (!temp.startsWith(path)) {
                        Files.delete(path);
                    }
                }
            }
        }
    }

    /**
     * Checks the REPLY to each FILE, in order, and returns the file each stored name holds (the last
     * one stored under it, for on-conflict = overwrite).
     */
    private static Map<String, SessionScript.SentFile> checkFileReplies(List<Reply> replies,
                                                                        List<SessionScript.SentFile> files) {
        Map<String, SessionScript.SentFile> stored = new HashMap<>();
        if (replies.isEmpty() || replies.get(0).status() != ReplyStatus.OK) {
            assertThat(replies).as("answers after a refused HELLO").hasSizeLessThanOrEqualTo(1);
            return stored;
        }
        assertThat(replies.size() - 1).as("one final answer per FILE").isLessThanOrEqualTo(files.size());
        for (int k = 1; k < replies.size(); k++) {
            Reply reply = replies.get(k);
            SessionScript.SentFile file = files.get(k - 1);
            assertThat(reply.status()).as("answer to FILE %d", k).isNotEqualTo(ReplyStatus.REFUSED);
            if (reply.status() == ReplyStatus.OK) {
                assertThat(file.committedDigest).as("COMMIT digest of FILE %d", k).isEqualTo(file.contentDigest());
                if (reply.text().startsWith("duplicate=")) {
                    // The same COMMIT id again: it names a file this session stored before.
                    assertThat(stored).containsKey(reply.text().substring("duplicate=".length()));
                } else {
                    assertThat(reply.text()).startsWith("stored=");
                    stored.put(reply.text().substring("stored=".length()), file);
                }
            } else {
                assertThat(reply.text()).as("reason for status %s", reply.status()).isNotBlank();
            }
        }
        return stored;
    }

    /** Every REPLY in the server's output, which must be nothing but whole REPLY frames of UTF-8 text. */
    private static List<Reply> replies(byte[] output) {
        ByteBuffer in = ByteBuffer.wrap(output);
        List<Reply> replies = new ArrayList<>();
        while (in.hasRemaining()) {
            replies.add(nextReply(in));
        }
        return replies;
    }

    private static Reply nextReply(ByteBuffer in) {
        assertThat(in.remaining()).as("bytes left for STATUS and M1").isGreaterThanOrEqualTo(16);
        long status = in.getLong();
        assertThat(status).as("REPLY STATUS").isBetween(0L, 5L);
        byte[] payload = sizedBytes(in);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
            return new Reply(ReplyStatus.values()[(int) status], payload);
        } catch (CharacterCodingException e) {
            throw new AssertionError("REPLY text is not UTF-8", e);
        }
    }

    private static byte[] sized(ByteBuffer in) {
        assertThat(in.remaining()).as("bytes left for a length").isGreaterThanOrEqualTo(8);
        return sizedBytes(in);
    }

    private static byte[] sizedBytes(ByteBuffer in) {
        long length = in.getLong();
        assertThat(length).as("M1").isBetween(0L, (long) in.remaining());
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return bytes;
    }

    private static boolean verifies(byte[] message, byte[] signature) {
        try {
            return SeedSignatures.verify(serverKey, message, signature);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("signature of an AUTH answer does not parse", e);
        }
    }

    /**
     * The inbox's files outside its work folder, relative name to SHA-256; each name, folders
     * included, must pass the inbox's rules, and nothing may be a symbolic link.
     */
    private static Map<String, byte[]> inboxFiles(Path root) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.filter(p -> !p.equals(root)).toList()) {
                Path relative = root.relativize(path);
                if (relative.getName(0).toString().equals(Inbox.WORK_DIR)) {
                    continue;
                }
                String name = relative.toString().replace(path.getFileSystem().getSeparator(), "/");
                assertThat(Files.isSymbolicLink(path)).as("%s is a symbolic link", name).isFalse();
                assertThatCode(() -> InboxNames.checkRelativePath(name)).as("name in the inbox")
                        .doesNotThrowAnyException();
                if (Files.isRegularFile(path)) {
                    files.put(name, SessionScript.sha256(Files.readAllBytes(path)));
                }
            }
        }
        return files;
    }

    /** One client frame as PROTOCOL.md section 1 lays it out; CLOSE has an empty payload. */
    private record Frame(long mode, byte[] payload) {
    }

    /** The whole frames of a client stream up to its first CLOSE, read independently of the server's reader. */
    private static List<Frame> frames(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<Frame> frames = new ArrayList<>();
        while (in.remaining() >= 8) {
            long mode = in.getLong();
            if (mode == SessionScript.CLOSE || mode < 0 || mode > 7 || in.remaining() < 8) {
                break;
            }
            long length = in.getLong();
            if (length < 0 || length > in.remaining()) {
                break;
            }
            byte[] payload = new byte[(int) length];
            in.get(payload);
            frames.add(new Frame(mode, payload));
        }
        return frames;
    }

    private static List<byte[]> payloads(List<Frame> frames, long mode) {
        return frames.stream().filter(f -> f.mode() == mode).map(Frame::payload).toList();
    }
}
