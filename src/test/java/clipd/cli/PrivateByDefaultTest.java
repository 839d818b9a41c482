package clipd.cli;

import clipd.http.AccessToken;
import clipd.testing.Fixtures;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code clipd serve} as its own process on a port of its choosing: the clipd command finds it through the data
 * directory and signs in with {@code clipd open}'s URL; another user of the machine (uid 65534, by setpriv) gets
 * 401 and cannot read the data directory; a listener on another port, even one relaying to the real daemon, never
 * receives the token.
 */
class PrivateByDefaultTest {
    @TempDir
    Path tmp;

    @Test
    void onlyTheOwnerGetsInAndTheTokenGoesOnlyToItsDaemon() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // only the data dir protects
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), photos.resolve("cat.jpg"));
        Files.setPosixFilePermissions(photos, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = tmp.resolve("data");
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", tmp.resolve("no-config").toString(), "PATH", "");
        Process serve = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "clipd.cli.Main", "serve", "--folder", photos.toString(), "--data-dir", data.toString(),
                "--model-dir", Fixtures.TINY_MODEL.toString(), "--port", "0", "--threads", "1", "--tags", "off")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(data.resolve(Endpoint.FILE_NAME))) {
                assertTrue(serve.isAlive() && System.nanoTime() < deadline, Files.readString(tmp.resolve("serve.log")));
                Thread.sleep(100);
            }
            Endpoint endpoint = Endpoint.read(data).orElseThrow();
            assertEquals(serve.pid(), endpoint.pid());
            String token = AccessToken.read(data).orElseThrow().value();
            assertTrue(Files.readString(tmp.resolve("serve.log")).contains(endpoint.url() + "/#token=" + token),
                    "serve prints the sign-in address");

            CliRunner.Run open = CliRunner.run(env, tmp, "open", "--data-dir", data.toString());
            assertEquals(0, open.code(), open.err());
            assertEquals("http://127.0.0.1:" + endpoint.port() + "/#token=" + token, open.out().trim(),
                    "found by the data directory, without --port; no opener on PATH is no error");
            assertTrue(Files.readString(data.resolve(OpenCommand.REDIRECT_FILE)).contains(open.out().trim()));
            CliRunner.Run status = CliRunner.run(env, tmp, "status", "--data-dir", data.toString());
            assertEquals(0, status.code(), status.out() + status.err());

            // the page's way in: the token from the URL buys a cookie
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> session = client.send(HttpRequest.newBuilder(URI.create(endpoint.url() + "/api/session"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, session.statusCode());

            // another user of the machine
            for (String path : List.of("/api/status", "/api/search?q=cat", "/api/facets")) {
                String answer = asNobody("curl", "-s", "-w", " %{http_code}", endpoint.url() + path);
                assertTrue(answer.endsWith(" 401") && answer.contains("run clipd open to sign in"), path + ": " + answer);
            }
            assertEquals("200", asNobody("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", endpoint.url() + "/"),
                    "the page itself is public");
            assertNotEquals(0, asNobodyExit("cat", data.resolve("token").toString()));
            assertNotEquals(0, asNobodyExit("ls", data.toString()));
            assertNotEquals(0, asNobodyExit("cat", data.resolve("status.json").toString()));

            await(() -> Files.exists(data.resolve("status.json")));
            assertEquals("rwx------", mode(data));
            try (Stream<Path> files = Files.list(data)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    assertEquals(Files.isDirectory(f) ? "rwx------" : "rw-------", mode(f), f.toString());
                }
            }

            // a listener on another port: a stranger, then a relay to the real daemon
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            for (boolean relay : new boolean[] {false, true}) {
                HttpServer impostor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                impostor.createContext("/", exchange -> {
                    seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                    byte[] body = "{\"proof\": \"00\"}".getBytes(StandardCharsets.UTF_8);
                    if (relay) {
                        try {
                            body = client.send(HttpRequest.newBuilder(URI.create(endpoint.url()
                                    + exchange.getRequestURI())).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                impostor.start();
                try {
                    String port = String.valueOf(impostor.getAddress().getPort());
                    CliRunner.Run tricked = CliRunner.run(env, tmp, "status", "--data-dir", data.toString(),
                            "--port", port);
                    assertEquals(3, tricked.code(), tricked.out() + tricked.err());
                    assertTrue(tricked.out().contains("cannot prove it knows the token"), tricked.out());
                    assertEquals(3, CliRunner.run(env, tmp, "reindex", "--data-dir", data.toString(), "--port", port)
                            .code());
                } finally {
                    impostor.stop(0);
                }
            }
            assertFalse(seen.isEmpty(), "the impostors were asked");
            seen.forEach(authorization -> assertEquals("null", authorization, "no Authorization ever sent"));
        } finally {
            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(data.resolve(Endpoint.FILE_NAME)), "removed at a clean stop");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.call()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(100);
        }
    }

    private static Process nobody(String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        line.addAll(List.of(command));
        return new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String asNobody(String... command) throws Exception {
        Process p = nobody(command);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    private static int asNobodyExit(String... command) throws Exception {
        Process p = nobody(command);
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }
}
