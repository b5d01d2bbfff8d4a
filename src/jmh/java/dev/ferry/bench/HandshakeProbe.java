package dev.ferry.bench;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.SettingsLoader;
import dev.ferry.security.ClientSecurity;
import dev.ferry.security.PluginRegistry;
import dev.ferry.security.SecurityContext;
import dev.ferry.transfer.Pusher;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times native sessions against a running server, for bench/run.sh: each one is a TCP connect, then
 * {@link Pusher#open} (HELLO and its answer, then the protocol's handshake: for cp2 AUTH and its
 * answer, then KEY), then a clean close. The time stops when {@code open} returns, which is when
 * a client could send its first FILE; the server's RSA decryption of KEY runs after that, while
 * the first frames are on their way.
 *
 * <p>A client agent runs for days and reconnects whenever its idle connection closed, so the
 * figure is of a warm client: COUNT sessions first run untimed for the JIT (their median is printed
 * as {@code cold_median_ms}), then COUNT more are timed.
 *
 * <p>Usage: {@code HandshakeProbe HOST PORT COUNT}. Settings come from {@code -Dferry...} as for the
 * agents (protocol, CA certificate, expected server name). Prints one line of {@code key=value}
 * fields in milliseconds: the median and p90 of the COUNT timed sessions, the median of the COUNT
 * sessions before them and the very first one.
 */
public final class HandshakeProbe {
    private HandshakeProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: HandshakeProbe HOST PORT COUNT");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        FerrySettings settings = new SettingsLoader().load(Path.of("ferry-bench-has-no.conf"), false);
        String protocol = settings.security().protocol();
        ClientSecurity security = PluginRegistry.load(null).get(protocol).client(SecurityContext.of(settings));
        Pusher.Options options = new Pusher.Options("bench-handshake", protocol, 64 * 1024, 1,
                Duration.ofSeconds(10), Long.MAX_VALUE);
        double[] cold = sessions(host, port, count, security, options);
        double first = cold[0];
        double[] warm = sessions(host, port, count, security, options);
        Arrays.sort(cold);
        Arrays.sort(warm);
        System.out.println(String.format(Locale.ROOT,
                "protocol=%s count=%d median_ms=%.2f p90_ms=%.2f cold_median_ms=%.2f first_ms=%.2f",
                protocol, count, median(warm), warm[(int) Math.ceil(0.9 * count) - 1], median(cold), first));
    }

    /** Opens and closes {@code count} sessions one after another; returns each one's time in milliseconds. */
    private static double[] sessions(String host, int port, int count, ClientSecurity security,
                                     Pusher.Options options) throws Exception {
        double[] millis = new double[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            Pusher pusher = Pusher.open(socket, security, options);
            millis[i] = (System.nanoTime() - start) / 1e6;
            pusher.close();
        }
        return millis;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
