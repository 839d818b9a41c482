package clipd.cli;

import clipd.http.AccessToken;
import clipd.http.PhotoIds;
import clipd.search.Query;
import clipd.search.QueryEmbedder;
import clipd.search.QueryException;
import clipd.search.SearchHit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code clipd} command talking to a running {@code clipd serve} over its loopback API. The daemon is found by
 * the endpoint file in the data directory ({@code --port} overrides it); before the token goes anywhere, the
 * listener there must prove it knows the token by answering a fresh challenge, so a program that took the port
 * (or relays to the daemon from another port) learns nothing.
 */
final class DaemonClient {
    /** Nothing answers on the daemon's address, or what answers is not this data directory's daemon. */
    static final class NotRunning extends Exception {
        NotRunning(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most results the API returns in one page ({@code top}); more are asked for as {@code top=all}. */
    private static final int SEARCH_PAGE_LIMIT = 500;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;
    private final int port;
    private final Path dataDir;
    private AccessToken verified;

    /** The daemon of the settings' data directory; an explicit {@code --port} (and {@code --listen}) wins. */
    DaemonClient(Settings settings, Args args) {
        Optional<Endpoint> recorded = args.value("--port") != null ? Optional.empty()
                : Endpoint.read(settings.dataDir()).filter(Endpoint::alive);
        Endpoint endpoint = recorded.orElse(new Endpoint(0, settings.listen(), settings.port()));
        this.base = endpoint.url();
        this.port = endpoint.port();
        this.dataDir = settings.dataDir();
    }

    String address() {
        return base;
    }

    JsonNode status() throws IOException, NotRunning {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/status")).GET());
    }

    /** Why an indexed photo has its tags (see GET /api/photos/{id}/tags). */
    JsonNode tags(Path photo, int top) throws IOException, NotRunning {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/photos/" + new PhotoIds(token()).idOf(photo.toString())
                + "/tags?top=" + top)).GET());
    }

    /** How the daemon's API names a photo. */
    String photoId(String path) throws IOException, NotRunning {
        return new PhotoIds(token()).idOf(path);
    }

    /** A read of the API, path and query. */
    JsonNode get(String pathAndQuery) throws IOException, NotRunning {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    /** A call that changes the library. */
    JsonNode change(String path, String json) throws IOException, NotRunning {
        return change("POST", path, json);
    }

    /** A change by another method (PUT, DELETE); {@code json} null sends no body. */
    JsonNode change(String method, String path, String json) throws IOException, NotRunning {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Runs a text query, or a query of one image, on the daemon; null for queries only this process can run. */
    List<SearchHit> search(Query query, int top, Map<String, String> filters)
            throws IOException, NotRunning, QueryException {
        StringBuilder p = new StringBuilder("top=" + (top > SEARCH_PAGE_LIMIT ? "all" : top));
        filters.forEach((k, v) -> p.append('&').append(k).append('=').append(encode(v)));
        String params = p.toString();
        if (query == null) {
            return hits(send(HttpRequest.newBuilder(URI.create(base + "/api/search?" + params)).GET()));
        }
        if (query.terms().size() == 1 && query.terms().get(0) instanceof Query.Image image && image.weight() == 1) {
            return hits(send(HttpRequest.newBuilder(URI.create(base + "/api/search?" + params))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(QueryEmbedder.read(image)))));
        }
        if (query.hasImages()) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        for (Query.Term t : query.terms()) {
            float w = Math.abs(t.weight());
            line.append(line.length() == 0 ? "" : t.weight() < 0 ? " - " : " + ")
                    .append(w == 1 ? "" : String.format(Locale.ROOT, "%s:", w))
                    .append(((Query.Text) t).text());
        }
        return hits(send(HttpRequest.newBuilder(URI.create(base + "/api/search?" + params + "&q="
                + encode(line.toString()))).GET()));
    }

    private static List<SearchHit> hits(JsonNode rows) {
        List<SearchHit> hits = new ArrayList<>();
        rows.forEach(r -> hits.add(new SearchHit(r.get("path").asText(), (float) r.get("score").asDouble())));
        return hits;
    }

    /** The search page's address with the token after {@code #}, which the page trades for a session cookie. */
    String signInUrl() throws IOException, NotRunning {
        return base + "/#token=" + token().value();
    }

    /** Every call is authorised with the token the daemon keeps in the data directory. */
    private JsonNode send(HttpRequest.Builder request) throws IOException, NotRunning {
        AccessToken token = token();
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + token.value())
                    .timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() >= 400) {
                throw new IOException("clipd serve answered " + response.statusCode() + ": "
                        + body.path("message").asText(response.body()));
            }
            return body;
        } catch (ConnectException e) {
            throw new NotRunning("nothing answers on " + base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The token, once what answers on the daemon's address has shown it knows it. */
    private AccessToken token() throws IOException, NotRunning {
        if (verified != null) {
            return verified;
        }
        AccessToken token = AccessToken.read(dataDir).orElseThrow(() -> new NotRunning("no clipd serve has run "
                + "with the data directory " + dataDir + " (it has no access token)"));
        String nonce = AccessToken.randomHex(16);
        HttpResponse<String> answer;
        try {
            answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/challenge?nonce=" + nonce))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new NotRunning("nothing answers on " + base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String proof = null;
        try {
            proof = answer.statusCode() == 200 ? JSON.readTree(answer.body()).path("proof").asText(null) : null;
        } catch (IOException e) {
            // not JSON: not clipd
        }
        if (!AccessToken.equal(proof, token.proof(port, nonce))) {
            throw new NotRunning("what answers on " + base + " is not the clipd serve of " + dataDir
                    + " (it cannot prove it knows the token, which was not sent)");
        }
        verified = token;
        return token;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
