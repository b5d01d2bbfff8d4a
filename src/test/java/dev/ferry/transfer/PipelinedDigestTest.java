package dev.ferry.transfer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelinedDigestTest {
    private static final int BLOCK = 4096;

    @Test
    void givesTheSha256OfAFileDigestedOnItsOwnThread() throws Exception {
        byte[] content = random(50 * BLOCK + 123, 1);
        try (PipelinedDigest digests = new PipelinedDigest(3, 1000)) {
            digests.start(Digests.sha256(), content.length);

            feed(digests, content, 0);

            assertThat(digests.finish()).isEqualTo(sha256(content));
        }
    }

    @Test
    void digestsSmallAndEmptyFilesInLine() throws Exception {
        try (PipelinedDigest digests = new PipelinedDigest(2, BLOCK)) {
            byte[] small = random(BLOCK, 2);

            digests.start(Digests.sha256(), small.length);
            feed(digests, small, 0);
            byte[] smallDigest = digests.finish();
            digests.start(Digests.sha256(), 0);
            byte[] emptyDigest = digests.finish();

            assertThat(smallDigest).isEqualTo(sha256(small));
            assertThat(emptyDigest).isEqualTo(sha256(new byte[0]));
        }
    }

    @Test
    void continuesADigestSeededWithTheBytesHeldFromAnEarlierAttempt() throws Exception {
        byte[] content = random(20 * BLOCK, 3);
        MessageDigest held = Digests.sha256();
        held.update(content, 0, 5 * BLOCK);
        try (PipelinedDigest digests = new PipelinedDigest(2, 0)) {
            digests.start(held, content.length - 5 * BLOCK);

            feed(digests, content, 5 * BLOCK);

            assertThat(digests.finish()).isEqualTo(sha256(content));
        }
    }

    @Test
    void aFileGivenUpHalfWayLeavesTheNextOneCorrectAndTheRingWhole() throws Exception {
        byte[] first = random(30 * BLOCK, 4);
        byte[] second = random(30 * BLOCK + 7, 5);
        try (PipelinedDigest digests = new PipelinedDigest(2, 0)) {
            digests.start(Digests.sha256(), first.length);
            feed(digests, Arrays.copyOf(first, 10 * BLOCK), 0);
            // A block taken and never handed over (its read failed), many times: the ring keeps its buffers.
            for (int i = 0; i < 10; i++) {
                digests.buffer(BLOCK);
            }

            digests.start(Digests.sha256(), second.length);
            feed(digests, second, 0);

            assertThat(digests.finish()).isEqualTo(sha256(second));
        }
    }

    @Test
    void growsABufferThatIsTooSmallForTheBlock() throws Exception {
        byte[] content = random(8 * BLOCK, 6);
        try (PipelinedDigest digests = new PipelinedDigest(2, 0)) {
            digests.start(Digests.sha256(), content.length);

            byte[] buffer = digests.buffer(content.length);
            System.arraycopy(content, 0, buffer, 0, content.length);
            digests.update(buffer, content.length);

            assertThat(buffer.length).isGreaterThanOrEqualTo(content.length);
            assertThat(digests.finish()).isEqualTo(sha256(content));
        }
    }

    @Test
    void refusesABufferItDidNotGive() throws Exception {
        try (PipelinedDigest digests = new PipelinedDigest(2, 0)) {
            digests.start(Digests.sha256(), 100);

            assertThatThrownBy(() -> digests.update(new byte[10], 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("buffer() did not give");
        }
    }

    @Test
    void failsEveryCallOnceClosed() throws Exception {
        PipelinedDigest digests = new PipelinedDigest(2, 0);
        digests.start(Digests.sha256(), 10 * BLOCK);
        byte[] buffer = digests.buffer(BLOCK);
        digests.update(buffer, BLOCK);

        digests.close();

        assertThatThrownBy(digests::finish).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> digests.start(Digests.sha256(), 10 * BLOCK)).isInstanceOf(IOException.class);
    }

    /** Hands content[from..] over block by block, overwriting each buffer as the owner may once it takes the next. */
    private static void feed(PipelinedDigest digests, byte[] content, int from) throws IOException {
        for (int at = from; at < content.length; ) {
            int n = Math.min(BLOCK, content.length - at);
            byte[] buffer = digests.buffer(n);
            Arrays.fill(buffer, (byte) 0x5a);
            System.arraycopy(content, at, buffer, 0, n);
            digests.update(buffer, n);
            at += n;
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(byte[] content) {
        return Digests.sha256().digest(content);
    }
}
