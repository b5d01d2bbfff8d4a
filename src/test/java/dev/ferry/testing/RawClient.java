package dev.ferry.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A hand-written client speaking raw frames (PROTOCOL.md section 1) to a server on 127.0.0.1. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A reply as read: STATUS and the text of M2. */
    public record Answer(long status, String text) {
    }

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public RawClient send(RawFrames frames) throws IOException {
        out.write(frames.toByteArray());
        out.flush();
        return this;
    }

    public Answer readReply() throws IOException {
        long status = in.readLong();
        long length = in.readLong();
        if (length > 1 << 20) {
            throw new IOException("reply too long: " + length);
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Answer(status, new String(payload, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection (end of stream or reset) within the socket timeout. */
    public boolean closedByServer() {
        try {
            while (in.read() >= 0) {
                // drain whatever the server still sent
            }
            return true;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
