package dev.ferry.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameReaderTest {
    private static final FrameLimits ALL = allModes(1024);

    private static FrameLimits allModes(long max) {
        FrameLimits limits = FrameLimits.none();
        for (Mode mode : Mode.values()) {
            limits = limits.with(mode, max, "test limit");
        }
        return limits;
    }

    private static byte[] u64s(long... words) {
        ByteBuffer buffer = ByteBuffer.allocate(words.length * 8);
        for (long word : words) {
            buffer.putLong(word);
        }
        return buffer.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyModeRoundTrips(Mode mode) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(wire);
        byte[] payload = {1, 2, 3, (byte) 0xff};
        if (mode.hasPayload()) {
            writer.writeFrame(mode, payload);
        } else {
            writer.writeClose();
        }
        writer.flush();

        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), ALL);

        assertThat(reader.readMode()).isEqualTo(mode);
        if (mode.hasPayload()) {
            assertThat(reader.readPayload(mode)).containsExactly(payload);
        }
        assertThat(reader.readMode()).isNull();
    }

    @Test
    void writesTheSeedLayoutByteForByte() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(wire);

        writer.writeFrame(Mode.FILE, "a".getBytes());
        writer.writeClose();
        writer.flush();

        assertThat(wire.toByteArray()).containsExactly(concat(u64s(0, 1), new byte[] {'a'}, u64s(2)));
    }

    @ParameterizedTest
    @ValueSource(longs = {1025, Long.MAX_VALUE, Long.MIN_VALUE, -1L})
    void rejectsLengthAboveLimitBeforeAllocating(long length) {
        // Only the header is on the wire: reading or allocating the payload would fail differently.
        FrameReader reader = new FrameReader(new ByteArrayInputStream(u64s(Mode.DATA.code(), length)), ALL);

        assertThatThrownBy(() -> {
            reader.readMode();
            reader.readPayload(Mode.DATA);
        }).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("DATA length " + Long.toUnsignedString(length))
                .hasMessageContaining("exceeds the limit of 1 KiB (test limit)");
    }

    @Test
    void acceptsLengthExactlyAtLimit() throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(concat(u64s(1, 1024), new byte[1024])), ALL);

        assertThat(reader.readMode()).isEqualTo(Mode.DATA);
        assertThat(reader.readPayload(Mode.DATA)).hasSize(1024);
    }

    @ParameterizedTest
    @ValueSource(longs = {8, 9, 255, Long.MAX_VALUE, -1L})
    void rejectsUnknownModes(long mode) {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(u64s(mode, 0)), ALL);

        assertThatThrownBy(reader::readMode).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown MODE " + Long.toUnsignedString(mode));
    }

    @Test
    void rejectsModeNotAllowedInThisPhase() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(u64s(Mode.COMMIT.code(), 72)),
                FrameLimits.none().with(Mode.FILE, 10, "x"));

        assertThatThrownBy(() -> {
            reader.readMode();
            reader.readPayload(Mode.COMMIT);
        }).isInstanceOf(ProtocolException.class).hasMessageContaining("COMMIT frame is not allowed");
    }

    @Test
    void reportsTruncatedModeWord() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[] {0, 0, 0}), ALL);

        assertThatThrownBy(reader::readMode).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("truncated frame").hasMessageContaining("MODE");
    }

    @Test
    void reportsTruncatedLength() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(concat(u64s(1), new byte[5])), ALL);

        assertThatThrownBy(() -> {
            reader.readMode();
            reader.readPayload(Mode.DATA);
        }).isInstanceOf(ProtocolException.class).hasMessageContaining("truncated frame");
    }

    @Test
    void reportsTruncatedPayload() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(concat(u64s(1, 100), new byte[99])), ALL);

        assertThatThrownBy(() -> {
            reader.readMode();
            reader.readPayload(Mode.DATA);
        }).isInstanceOf(ProtocolException.class).hasMessageContaining("truncated frame").hasMessageContaining("DATA");
    }

    @Test
    void returnsNullOnCleanEndOfStream() throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(new byte[0]), ALL);

        assertThat(reader.readMode()).isNull();
    }

    @Test
    void readsRepliesAndRejectsUnknownStatus() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(wire);
        writer.writeReply(ReplyStatus.INTEGRITY, "bad".getBytes());
        writer.flush();
        wire.writeBytes(u64s(6, 0));
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), ALL);

        Reply reply = reader.readReply(100);

        assertThat(reply.status()).isEqualTo(ReplyStatus.INTEGRITY);
        assertThat(reply.text()).isEqualTo("bad");
        assertThatThrownBy(() -> reader.readReply(100)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown REPLY status 6");
    }

    @Test
    void rejectsOversizedReply() {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(u64s(0, 1L << 40)), ALL);

        assertThatThrownBy(() -> reader.readReply(64)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("exceeds the limit of 64 bytes");
    }

    @Test
    void transcriptSeesTheSameBytesOnBothSides() throws IOException {
        Transcript sent = new Transcript();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter(wire);
        writer.transcript(sent);
        writer.writeFrame(Mode.HELLO, "ferry=1\n".getBytes());
        writer.writeReply(ReplyStatus.OK, "ok".getBytes());
        writer.transcript(null);
        writer.writeClose();
        writer.flush();

        Transcript received = new Transcript();
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), ALL);
        reader.transcript(received);
        reader.readMode();
        reader.readPayload(Mode.HELLO);
        reader.readReply(10);

        assertThat(received.hash()).containsExactly(sent.hash());
    }
}
