package dev.ferry.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real file channel whose {@code force} the test controls: it can hold a force until released
 * (to let other threads append meanwhile) and make it fail as fsync(2) does on a failing disk (EIO).
 */
final class ControlledForce extends FileChannel {
    private final FileChannel real;
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger forces = new AtomicInteger();
    /** Forces started and not yet ended. */
    final AtomicInteger forcing = new AtomicInteger();
    final AtomicBoolean fail = new AtomicBoolean();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    ControlledForce(FileChannel real) {
        this.real = real;
    }

    /** A channel whose every force fails (EIO). */
    static ControlledForce failing(FileChannel real) {
        ControlledForce channel = new ControlledForce(real);
        channel.fail.set(true);
        return channel;
    }

    /** The next forces wait until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    @Override
    public void force(boolean metaData) throws IOException {
        forces.incrementAndGet();
        forcing.incrementAndGet();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IOException("test gate never released");
            }
            if (fail.get()) {
                throw new IOException("Input/output error (injected fsync failure)");
            }
            real.force(metaData);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            forcing.decrementAndGet();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        writes.incrementAndGet();
        return real.write(src);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        writes.incrementAndGet();
        return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        writes.incrementAndGet();
        return real.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
