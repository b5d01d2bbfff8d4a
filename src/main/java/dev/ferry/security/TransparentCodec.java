package dev.ferry.security;

import dev.ferry.wire.Mode;

/**
 * A codec whose payloads travel as they are (plain, ap): sealing and opening copy. Subclasses
 * decide what happens to REPLYs.
 */
public abstract class TransparentCodec implements SessionCodec {
    @Override
    public final boolean transparent() {
        return true;
    }

    @Override
    public final int sealedLength(int plainLength) {
        return plainLength;
    }

    @Override
    public final int maxPlainLength(int sealedLength) {
        return sealedLength;
    }

    @Override
    public final int seal(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        System.arraycopy(src, offset, dst, 0, length);
        return length;
    }

    @Override
    public final int open(Mode mode, byte[] src, int offset, int length, byte[] dst) {
        System.arraycopy(src, offset, dst, 0, length);
        return length;
    }
}
