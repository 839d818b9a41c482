package clipd.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Middleware that keeps the API to the people it is for. The Host header must name this server (a DNS-rebinding
 * page uses its own host name); a request that changes anything must not come from another site's page (Origin,
 * Sec-Fetch-Site). The port in Host and Origin must be the one the connection arrived on, so the guard is complete
 * before the server listens, whatever port it gets.
 */
final class RequestGuard {
    private final Set<String> names;

    RequestGuard(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    /**
     * Host names a request to this server may carry: loopback names, the listen address, and when listening on
     * every interface (0.0.0.0 or ::) this machine's addresses and host name, by which other machines reach it.
     */
    static Set<String> namesFor(String listen) {
        Set<String> names = new HashSet<>(Set.of("127.0.0.1", "localhost", "[::1]"));
        names.add(bracketed(listen));
        if (listen.equals("0.0.0.0") || listen.equals("::")) {
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    nic.inetAddresses().forEach(a -> names.add(bracketed(a.getHostAddress().replaceAll("%.*", ""))));
                }
                names.add(InetAddress.getLocalHost().getHostName());
            } catch (IOException e) {
                // the loopback names still work
            }
        }
        Set<String> out = new HashSet<>();
        for (String name : names) {
            out.add(name.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static String bracketed(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    /** Whether host:port names this server as reached on {@code port}. */
    boolean isThisServer(String hostAndPort, int port) {
        String suffix = ":" + port;
        String lower = hostAndPort.toLowerCase(Locale.ROOT);
        return lower.endsWith(suffix) && names.contains(lower.substring(0, lower.length() - suffix.length()));
    }

    void check(Context ctx) {
        int port = ctx.req().getLocalPort();
        String host = ctx.header("Host");
        if (host == null || !isThisServer(host, port)) {
            throw new ApiError(403, "forbidden_host", "requests must be addressed to this machine's clipd");
        }
        if (ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD")) {
            return;
        }
        String origin = ctx.header("Origin");
        if (origin != null && !isThisServer(origin.replaceFirst("^(?i)https?://", ""), port)) {
            throw new ApiError(403, "forbidden_origin", "requests from other sites are refused");
        }
        if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            throw new ApiError(403, "forbidden_origin", "requests from other sites are refused");
        }
    }
}
