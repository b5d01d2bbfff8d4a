package dev.ferry.e2e;

import dev.ferry.testing.RawFrames;

import java.util.List;
import java.util.stream.Stream;

/**
 * The malformed frames of PROTOCOL.md section 1, each to be sent on a connection of its own, with
 * the reason the server must log for it.
 */
enum Malformation {
    NEGATIVE_LENGTH("DATA length 18446744073709551615 exceeds the limit", false) {
        @Override
        RawFrames frames() {
            return hello().frame(0, "name=m.bin\nsize=10\nmtime=0\n").u64(1).u64(-1L);
        }
    },
    LENGTH_2_TO_THE_63("DATA length 9223372036854775808 exceeds the limit", false) {
        @Override
        RawFrames frames() {
            return hello().frame(0, "name=m.bin\nsize=10\nmtime=0\n").u64(1).u64(1L << 63);
        }
    },
    FILE_LENGTH_JUST_ABOVE_THE_LIMIT("FILE length 16385 exceeds the limit of 16 KiB", false) {
        @Override
        RawFrames frames() {
            return hello().u64(0).u64(16 * 1024 + 1);
        }
    },
    ZERO_LENGTH_FILE("FILE header lacks the required key 'name'", false) {
        @Override
        RawFrames frames() {
            return hello().frame(0, new byte[0]);
        }
    },
    ZERO_LENGTH_HELLO("unsupported Ferry protocol version", false) {
        @Override
        RawFrames frames() {
            return new RawFrames().frame(5, new byte[0]);
        }
    },
    UNKNOWN_MODE("unknown MODE 99 (known: 0-7)", false) {
        @Override
        RawFrames frames() {
            return hello().u64(99).u64(1).raw(new byte[1]);
        }
    },
    UNKNOWN_FIRST_MODE("unknown MODE 1000 (known: 0-7)", false) {
        @Override
        RawFrames frames() {
            return new RawFrames().u64(1000).u64(1).raw(new byte[1]);
        }
    },
    AUTH_OUT_OF_ORDER("AUTH is not allowed after the handshake", false) {
        @Override
        RawFrames frames() {
            return hello().frame(3, "nonce");
        }
    },
    DATA_BEFORE_FILE("DATA before FILE", false) {
        @Override
        RawFrames frames() {
            return hello().frame(1, "data");
        }
    },
    COMMIT_WITHOUT_FILE("COMMIT without FILE", false) {
        @Override
        RawFrames frames() {
            return hello().frame(6, new byte[72]);
        }
    },
    SECOND_HELLO("HELLO is not allowed after the handshake", false) {
        @Override
        RawFrames frames() {
            return hello().frame(5, HELLO);
        }
    },
    TRUNCATED_DATA("truncated frame: the peer closed the connection inside DATA", true) {
        @Override
        RawFrames frames() {
            return hello().frame(0, "name=cut.bin\nsize=100\nmtime=0\n").u64(1).u64(100).raw(new byte[50]);
        }
    },
    TRUNCATED_HELLO("truncated frame: the peer closed the connection inside HELLO", true) {
        @Override
        RawFrames frames() {
            return new RawFrames().u64(5).u64(100).raw(new byte[10]);
        }
    };

    /** A valid native HELLO under plain. */
    static final String HELLO = "ferry=1\nprotocol=plain\nclient=attacker\n";

    final String logged;
    final boolean truncated;

    Malformation(String logged, boolean truncated) {
        this.logged = logged;
        this.truncated = truncated;
    }

    abstract RawFrames frames();

    static RawFrames hello() {
        return new RawFrames().frame(5, HELLO);
    }

    static List<String> fragments() {
        return Stream.of(values()).map(m -> m.logged).toList();
    }
}
