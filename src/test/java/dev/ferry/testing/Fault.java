package dev.ferry.testing;

import dev.ferry.testing.TestProxy.Direction;

import java.time.Duration;
import java.util.Objects;

/**
 * A network fault that one direction of one {@link TestProxy} connection suffers: what happens
 * ({@link Kind}) and when ({@link Trigger}). Planned per connection with
 * {@link TestProxy#fault(int, Fault...)}; a {@link Locator} may keep state, so one fault serves
 * one connection.
 *
 * @param stall how long a {@link Kind#STALL} holds the direction back; null for the other kinds
 */
public record Fault(Direction direction, Trigger trigger, Kind kind, Duration stall) {
    /** What happens to the connection. */
    public enum Kind {
        /** Both sockets are closed: each peer sees the stream end (or a reset if it had unread data). */
        DROP,
        /** SO_LINGER 0 on both sockets, then close: each peer gets a TCP reset. */
        RESET,
        /** Nothing more is forwarded in this direction for {@code stall}; the sockets stay open. */
        STALL,
        /** The rest of this direction is forwarded in 1-byte writes. */
        FRAGMENT
    }

    /** When a fault strikes. */
    public sealed interface Trigger permits AtByte, After {
    }

    /** Strikes just before the byte at the offset {@code locator} names is forwarded. */
    public record AtByte(Locator locator) implements Trigger {
        public AtByte {
            Objects.requireNonNull(locator, "locator");
        }
    }

    /**
     * Strikes {@code delay} after the connection was accepted, whether bytes flow or not; a stall
     * holds back whatever arrives from then until it ends.
     */
    public record After(Duration delay) implements Trigger {
        public After {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay " + delay + " is negative");
            }
        }
    }

    /** Finds the offset where a fault strikes in one direction, e.g. a point of the protocol ({@link FaultPoints}). */
    @FunctionalInterface
    public interface Locator {
        /**
         * Called on the direction's thread before each chunk is forwarded, until it names an offset
         * within what was received.
         *
         * @param connection the connection, whose other direction the locator may look at
         * @param received every byte received in this direction so far, the new chunk included
         * @return the offset of the first byte not to be forwarded before the fault strikes (an offset
         *         already forwarded strikes at once), or -1 while it cannot tell yet
         */
        long offset(TestProxy.Connection connection, byte[] received);
    }

    public Fault {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.STALL) != (stall != null)) {
            throw new IllegalArgumentException("a stall, and only a stall, has a duration: " + kind + " " + stall);
        }
        if (stall != null && (stall.isNegative() || stall.isZero())) {
            throw new IllegalArgumentException("stall " + stall + " must be positive");
        }
    }

    /** Before byte {@code offset} of the direction (0: before the first byte). */
    public static Trigger atByte(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        return new AtByte((connection, received) -> offset);
    }

    /** At the offset a locator finds, such as a point of the protocol. */
    public static Trigger at(Locator locator) {
        return new AtByte(locator);
    }

    /** After {@code delay} from the connection's accept. */
    public static Trigger after(Duration delay) {
        return new After(delay);
    }

    public static Fault drop(Direction direction, Trigger trigger) {
        return new Fault(direction, trigger, Kind.DROP, null);
    }

    public static Fault reset(Direction direction, Trigger trigger) {
        return new Fault(direction, trigger, Kind.RESET, null);
    }

    public static Fault stall(Direction direction, Trigger trigger, Duration stall) {
        return new Fault(direction, trigger, Kind.STALL, stall);
    }

    public static Fault fragment(Direction direction, Trigger trigger) {
        return new Fault(direction, trigger, Kind.FRAGMENT, null);
    }
}
