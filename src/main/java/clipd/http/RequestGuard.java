package clipd.http;

import io.javalin.http.Context;

import java.util.Locale;
import java.util.Set;

/**
 * Keeps the API to the people it is for. The Host header must name this server (a DNS-rebinding page uses its own
 * host name); a request that changes anything must not come from another site's page (Origin, Sec-Fetch-Site);
 * the calls that change the library need the access token.
 */
final class RequestGuard {
    private final Set<String> hosts;
    private final AccessToken token;

    RequestGuard(Set<String> hosts, AccessToken token) {
        this.hosts = Set.copyOf(hosts);
        this.token = token;
    }

    /**
     * host:port forms a request to this server may carry: loopback names, the listen address, and when listening
     * on every interface (0.0.0.0 or ::) this machine's addresses and host name, by which other machines reach it.
     */
    static Set<String> hostsFor(String listen, int port) {
        Set<String> names = new java.util.HashSet<>(Set.of("127.0.0.1", "localhost", "[::1]"));
        names.add(bracketed(listen));
        if (listen.equals("0.0.0.0") || listen.equals("::")) {
            try {
                for (java.net.NetworkInterface nic : java.util.Collections.list(
                        java.net.NetworkInterface.getNetworkInterfaces())) {
                    nic.inetAddresses().forEach(a -> names.add(bracketed(a.getHostAddress().replaceAll("%.*", ""))));
                }
                names.add(java.net.InetAddress.getLocalHost().getHostName());
            } catch (java.io.IOException e) {
                // the loopback names still work
            }
        }
        Set<String> out = new java.util.HashSet<>();
        for (String name : names) {
            out.add(name.toLowerCase(Locale.ROOT) + ":" + port);
        }
        return out;
    }

    private static String bracketed(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    void check(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
            throw new ApiError(403, "forbidden_host", "requests must be addressed to this machine's clipd");
        }
        if (ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD")) {
            return;
        }
        String origin = ctx.header("Origin");
        if (origin != null && !hosts.contains(origin.toLowerCase(Locale.ROOT).replaceFirst("^https?://", ""))) {
            throw new ApiError(403, "forbidden_origin", "requests from other sites are refused");
        }
        if ("cross-site".equals(ctx.header("Sec-Fetch-Site"))) {
            throw new ApiError(403, "forbidden_origin", "requests from other sites are refused");
        }
    }

    void requireToken(Context ctx) {
        String header = ctx.header("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
        if (!token.matches(given)) {
            throw new ApiError(401, "token_required", "this call needs the token from the data directory's '"
                    + AccessToken.FILE_NAME + "' file as 'Authorization: Bearer TOKEN'");
        }
    }
}
