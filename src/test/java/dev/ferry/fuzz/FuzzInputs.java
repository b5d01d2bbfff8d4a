package dev.ferry.fuzz;

import dev.ferry.security.SeedRecording;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hand-made regression inputs of the fuzz tests: valid sessions and typical refusals, built
 * in the input layouts of {@link FrameReaderFuzzTest} and {@link SessionScript}, and the seed
 * vectors' recordings. Plain {@code mvn verify} replays them; fuzzing starts from them.
 * {@link FuzzInputsTest} checks that the committed files are still the ones built here; after a
 * change of a layout, {@link #main} writes them again (docs/FUZZING.md).
 */
final class FuzzInputs {
    static final String RESOURCES = "src/test/resources/dev/ferry/fuzz/";

    private FuzzInputs() {
    }

    /** Relative path under {@link #RESOURCES} to content, for every built input. */
    static Map<String, byte[]> all() throws IOException {
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        String reader = "FrameReaderFuzzTestInputs/readsAnyBytesAsFramesOrAProtocolError/";
        inputs.put(reader + "seed-first-file", readerInput(1, new int[0], 0, seedFirstFile("plain")));
        inputs.put(reader + "native-session", readerInput(1, new int[] {0, 4, 4, 1}, 0, nativeSessionWithAuth()));
        inputs.put(reader + "native-session-stalled-between-frames",
                readerInput(1, new int[] {0, 4, 4, 1}, helloFrameLength() + 1, nativeSessionWithAuth()));
        inputs.put(reader + "native-session-stalled-inside-a-frame",
                readerInput(1, new int[] {0, 4, 4, 1}, helloFrameLength() + 3, nativeSessionWithAuth()));
        inputs.put(reader + "client-reads-replies", readerInput(4, new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 0,
                concat(reply(0, "ferry=1\nprotocol=plain\nserver-nonce=AAAA\nmax-file-size=65536\nmax-block=1024\n"),
                        reply(0, "stored=a.txt"), reply(3, "a.txt: SHA-256 does not match"))));
        inputs.put(reader + "client-reads-seed-auth-answer",
                readerInput(4, new int[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 0, SeedRecording.resource("ap.s2c")));
        inputs.put(reader + "small-limits-exceeded",
                readerInput(0, new int[0], 0, concat(frame(0, new byte[10]), frame(1, new byte[21]))));

        String script = "ServerSessionFuzzTestInputs/generatedNativeSessionsStoreExactlyTheCommittedFiles/";
        inputs.put(script + "two-files", twoFilesScript());
        inputs.put(script + "refusals", refusalsScript());
        inputs.put(script + "same-names-overwrite", sameNamesScript(1));
        inputs.put(script + "same-names-reject", sameNamesScript(2));
        inputs.put(script + "control-characters-in-names", new Script(0)
                .file(name("tab\there"), 4, 1).file(name("nul\u0000.txt"), 4, 1).file(name("\u202eevil.txt"), 0, 0)
                .toByteArray());

        String plain = "ServerSessionFuzzTestInputs/anyBytesIntoAPlainServerStoreOnlyCommittedFiles/";
        inputs.put(plain + "plain-recording", SeedRecording.resource("plain.c2s"));
        inputs.put(plain + "ap-recording-first-file", seedFirstFile("ap"));
        inputs.put(plain + "native-two-files", SessionScript.generate(twoFilesScript()).clientBytes);
        inputs.put(plain + "seed-name-with-line-breaks", concat(frame(SessionScript.FILE, text("a\r\nb\u001b[2J.txt")),
                frame(SessionScript.DATA, text("x")), u64(SessionScript.CLOSE)));
        inputs.put(plain + "native-protocol-with-control-characters",
                frame(SessionScript.HELLO, text("ferry=1\nprotocol=pl\u0007ain\u2028\n")));
        inputs.put(plain + "native-version-with-escape-sequence",
                frame(SessionScript.HELLO, text("ferry=\u001b[31m1\nprotocol=plain\n")));

        String cp2 = "ServerSessionFuzzTestInputs/anyBytesIntoACp2ServerLeaveOnlyCompleteFiles/";
        inputs.put(cp2 + "cp2-recording-first-file", seedFirstFile("cp2"));
        inputs.put(cp2 + "plain-recording-first-file", seedFirstFile("plain"));
        inputs.put(cp2 + "native-hello-and-auth", nativeCp2Opening());
        return inputs;
    }

    /** Writes every input under {@code src/test/resources}; run from the project folder. */
    public static void main(String[] args) throws IOException {
        for (Map.Entry<String, byte[]> input : all().entrySet()) {
            Path file = Path.of(RESOURCES, input.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, input.getValue());
        }
    }

    /** A {@link FrameReaderFuzzTest} input: phase, small limits 0, the script, the stall, piece size 257. */
    private static byte[] readerInput(int phase, int[] ops, int stall, byte[] wire) {
        long script = 0;
        for (int i = 0; i < ops.length; i++) {
            script |= (long) ops[i] << (3 * i);
        }
        ByteBuffer header = ByteBuffer.allocate(16).put((byte) phase).put(new byte[8])
                .putInt((int) script).putShort((short) stall).put((byte) 1);
        return concat(header.array(), wire);
    }

    /** The frames of a recording up to its first file's DATA, then CLOSE: a valid session, small. */
    private static byte[] seedFirstFile(String protocol) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SeedRecording.Frame frame : SeedRecording.clientFrames(protocol)) {
            out.writeBytes(frame(frame.mode(), frame.payload()));
            if (frame.mode() == SeedRecording.DATA) {
                break;
            }
        }
        out.writeBytes(u64(SeedRecording.CLOSE));
        return out.toByteArray();
    }

    private static byte[] helloPayload() {
        return text("ferry=1\nprotocol=plain\nclient=seed\n");
    }

    private static int helloFrameLength() {
        return 16 + helloPayload().length;
    }

    /** HELLO, AUTH, then one file in two DATA blocks, COMMIT and CLOSE. */
    private static byte[] nativeSessionWithAuth() {
        byte[] content = "hello, ferry\n".getBytes(StandardCharsets.UTF_8);
        return concat(frame(SessionScript.HELLO, helloPayload()), frame(3, new byte[32]),
                frame(SessionScript.FILE, text("name=a.txt\nsize=13\nmtime=1700000000000\n")),
                frame(SessionScript.DATA, Arrays.copyOf(content, 5)),
                frame(SessionScript.DATA, Arrays.copyOfRange(content, 5, 13)),
                frame(SessionScript.COMMIT, ByteBuffer.allocate(72).putLong(13).put(SessionScript.sha256(content))
                        .array()),
                u64(SessionScript.CLOSE));
    }

    private static byte[] nativeCp2Opening() {
        return concat(frame(SessionScript.HELLO, text("ferry=1\nprotocol=cp2\n")),
                frame(3, new byte[32]), frame(4, new byte[300]));
    }

    /** {@link SessionScript} operation bytes. */
    private static final class Script {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Script(int settings) {
            out.write(settings);
        }

        /** A whole file: FILE with a name from {@link SessionScript#NAMES}, DATA blocks, COMMIT. */
        Script wholeFile(int name, int size, int blockChoice, int seed) {
            return op(SessionScript.Op.WHOLE_FILE).bytes(name, size >> 8, size & 0xff)
                    .mtime().bytes(blockChoice, seed);
        }

        /** A FILE header with a size choice of {@code SessionScript} (4 and up: the next two bytes). */
        Script file(int name, int sizeChoice, int size) {
            op(SessionScript.Op.FILE).bytes(name, sizeChoice);
            if (sizeChoice % 8 >= 4) {
                bytes(size >> 8, size & 0xff);
            }
            return mtime();
        }

        Script data(int length, int seed) {
            return op(SessionScript.Op.DATA).bytes(length >> 8, length & 0xff, seed);
        }

        Script op(SessionScript.Op op, int... choices) {
            out.write(op.ordinal());
            return bytes(choices);
        }

        Script bytes(int... values) {
            for (int value : values) {
                out.write(value);
            }
            return this;
        }

        /** mtime choice 5: the next eight bytes, here 1700000000000 ms. */
        private Script mtime() {
            out.write(5);
            out.writeBytes(ByteBuffer.allocate(8).putLong(1_700_000_000_000L).array());
            return this;
        }

        Script raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    private static int name(String name) {
        int index = SessionScript.NAMES.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException(name + " is not in SessionScript.NAMES");
        }
        return index;
    }

    static byte[] twoFilesScript() {
        return new Script(0).wholeFile(name("a.txt"), 100, 10, 7).wholeFile(name("dir/b.bin"), 2500, 255, 9)
                .op(SessionScript.Op.CLOSE).toByteArray();
    }

    /** Each way a file is refused or abandoned, a header sent raw, then a frame that ends the session. */
    private static byte[] refusalsScript() {
        byte[] rawHeader = text("name=raw.txt\nsize=0\n");
        return new Script(0)
                .file(name("a.txt"), 0, 0)
                .file(name("../escape"), 4, 10).data(10, 1).op(SessionScript.Op.COMMIT)
                .file(name("report.pdf"), 4, 40).data(40, 2).op(SessionScript.Op.BAD_COMMIT, 0, 3, 1)
                .file(name("sub/deeper/c.dat"), 4, 30).data(10, 3)
                .file(name("a.txt"), 4, 5).op(SessionScript.Op.FINISH_FILE, 1, 4)
                .file(name("dir/b.bin"), 4, 3).data(10, 5).op(SessionScript.Op.COMMIT)
                .op(SessionScript.Op.RAW_HEADER, rawHeader.length).raw(rawHeader).op(SessionScript.Op.COMMIT)
                .op(SessionScript.Op.ALIEN_FRAME, 0, 0, 4, 1, 2, 3, 4)
                .toByteArray();
    }

    private static byte[] sameNamesScript(int policy) {
        return new Script(policy).wholeFile(name("a.txt"), 10, 1, 1).wholeFile(name("a.txt"), 20, 1, 2)
                .wholeFile(name("dir"), 5, 1, 3).wholeFile(name("dir/b.bin"), 5, 1, 4)
                .wholeFile(name("report.pdf"), 1, 1, 5).wholeFile(name("report (1).pdf"), 1, 1, 6)
                .wholeFile(name("report.pdf"), 1, 1, 7).toByteArray();
    }

    private static byte[] reply(long status, String text) {
        return frame(status, text(text));
    }

    private static byte[] text(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] frame(long mode, byte[] payload) {
        return concat(u64(mode), u64(payload.length), payload);
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
