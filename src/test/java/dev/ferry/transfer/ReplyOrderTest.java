package dev.ferry.transfer;

import dev.ferry.security.TransparentCodec;
import dev.ferry.wire.FrameLimits;
import dev.ferry.wire.FrameReader;
import dev.ferry.wire.FrameWriter;
import dev.ferry.wire.Reply;
import dev.ferry.wire.ReplyStatus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Answers of one session go out in the order their places were taken, whoever completes them. */
class ReplyOrderTest {
    private static final TransparentCodec AS_IS = new TransparentCodec() {
        @Override
        public byte[] sealReply(ReplyStatus status, byte[] payload) {
            return payload;
        }

        @Override
        public byte[] openReply(ReplyStatus status, byte[] payload) {
            return payload;
        }
    };

    private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

    /** The replies on the wire, as "STATUS text"; {@code count} of them, and nothing after them. */
    private List<String> written(int count) throws IOException {
        List<String> replies = new ArrayList<>();
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), FrameLimits.none());
        for (int i = 0; i < count; i++) {
            Reply reply = reader.readReply(1024);
            replies.add(reply.status() + " " + reply.text());
        }
        assertThat(reader.readMode()).as("nothing after the expected replies").isNull();
        return replies;
    }

    @Test
    void answersGoOutInTheOrderTheirPlacesWereTakenNotTheOrderTheyWereGiven() throws Exception {
        ReplyOrder order = new ReplyOrder(new FrameWriter(wire), AS_IS, 8);

        ReplyOrder.Place first = order.reserve();
        order.send(ReplyStatus.BAD_REQUEST, "abandoned=b");
        ReplyOrder.Place third = order.reserve();
        order.complete(third, ReplyStatus.OK, "stored=c");

        assertThat(wire.size()).as("nothing may pass the first file's answer").isZero();
        CompletableFuture.runAsync(() -> order.complete(first, ReplyStatus.OK, "stored=a")).get(10, TimeUnit.SECONDS);
        assertThat(written(3)).containsExactly("OK stored=a", "BAD_REQUEST abandoned=b", "OK stored=c");
    }

    @Test
    void aSessionWaitsForItsCommitsAndStopsReadingBeyondTheLimit() throws Exception {
        ReplyOrder order = new ReplyOrder(new FrameWriter(wire), AS_IS, 2);
        ReplyOrder.Place first = order.reserve();
        ReplyOrder.Place second = order.reserve();

        CompletableFuture<ReplyOrder.Place> third = CompletableFuture.supplyAsync(() -> {
            try {
                return order.reserve();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
            try {
                order.awaitReserved();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !third.isDone());
        order.complete(second, ReplyStatus.OK, "stored=b");
        ReplyOrder.Place thirdPlace = third.get(10, TimeUnit.SECONDS);
        order.complete(first, ReplyStatus.OK, "stored=a");
        assertThat(ended).isNotDone();
        order.complete(thirdPlace, ReplyStatus.INTEGRITY, "bad digest");

        ended.get(10, TimeUnit.SECONDS);
        assertThat(written(3)).containsExactly("OK stored=a", "OK stored=b", "INTEGRITY bad digest");
    }

    @Test
    void aWriteThatFailsIsThrownToTheConnectionThread() throws Exception {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        ReplyOrder order = new ReplyOrder(new FrameWriter(broken), AS_IS, 4);
        ReplyOrder.Place place = order.reserve();

        order.complete(place, ReplyStatus.OK, "stored=a");

        assertThatThrownBy(order::check).isInstanceOf(IOException.class).hasMessageContaining("Broken pipe");
        assertThatThrownBy(() -> order.send(ReplyStatus.OK, "stored=b")).hasMessageContaining("Broken pipe");
    }
}
