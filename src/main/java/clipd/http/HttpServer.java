package clipd.http;

import clipd.daemon.LibraryControl;
import clipd.search.Concepts;
import clipd.search.LibraryDuplicates;
import clipd.search.Searcher;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.staticfiles.Location;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.List;

/**
 * clipd's local HTTP API and search page (Javalin on Jetty), listening on loopback unless told otherwise. This class
 * only assembles the server: the middleware runs first on every request ({@link SecurityHeaders},
 * {@link RequestGuard}, then {@link Authentication}), then one route table per resource ({@link AuthRoutes}, {@link SearchRoutes},
 * {@link PhotoRoutes}, {@link LibraryRoutes}, {@link DuplicateRoutes}, {@link ConceptRoutes}); {@link ErrorAnswers} turns what they throw into JSON. Photos are named
 * by id only; a file is served only if it is in the index.
 */
public final class HttpServer implements AutoCloseable {
    public record Options(String listen, int port, long maxUploadBytes, Path thumbnailDir, long thumbnailCacheBytes,
                          long maxImagePixels) {
    }

    private final Options options;
    private final Searcher searcher;
    private final PhotoStore store;
    private final LibraryControl library;
    private final PhotoTagger tagger;
    private final Thumbnails thumbnails;
    private final LibraryDuplicates duplicates;
    private final Concepts concepts;
    private Javalin app;

    /** A server without near-duplicate groups (tests and benchmarks of the other routes). */
    public HttpServer(Options options, Searcher searcher, PhotoStore store, LibraryControl library,
                      PhotoTagger tagger) {
        this(options, searcher, store, library, tagger, null);
    }

    /**
     * @param tagger     explains photos' tags; null when tagging is off
     * @param duplicates the library's near-duplicate groups; null leaves {@code /api/duplicates} out
     */
    public HttpServer(Options options, Searcher searcher, PhotoStore store, LibraryControl library,
                      PhotoTagger tagger, LibraryDuplicates duplicates) {
        this(options, searcher, store, library, tagger, duplicates, null);
    }

    /** @param concepts the concepts taught by example; null leaves {@code /api/concepts} out */
    public HttpServer(Options options, Searcher searcher, PhotoStore store, LibraryControl library,
                      PhotoTagger tagger, LibraryDuplicates duplicates, Concepts concepts) {
        this.concepts = concepts;
        this.options = options;
        this.searcher = searcher;
        this.store = store;
        this.library = library;
        this.tagger = tagger;
        this.duplicates = duplicates;
        this.thumbnails = new Thumbnails(options.thumbnailDir(), options.thumbnailCacheBytes(),
                options.maxImagePixels(), 2);
    }

    /** Starts listening; returns the port (useful when 0 asked for any free one). */
    public int start(AccessToken token) throws IOException {
        RequestGuard guard = new RequestGuard(RequestGuard.namesFor(options.listen()), options.maxUploadBytes());
        Authentication auth = new Authentication(token);
        PhotoIds ids = new PhotoIds(token, searcher.index());
        List<Routes> resources = new java.util.ArrayList<>(List.of(new AuthRoutes(auth, token),
                new SearchRoutes(searcher, ids), new PhotoRoutes(searcher.index(), ids, store, tagger, thumbnails),
                new LibraryRoutes(library, searcher.index())));
        if (duplicates != null) {
            resources.add(new DuplicateRoutes(duplicates, ids));
        }
        if (concepts != null) {
            resources.add(new ConceptRoutes(concepts, library, ids));
        }
        app = Javalin.create(config -> {
            config.jetty.host = options.listen();
            config.jetty.port = options.port();
            config.http.maxRequestSize = options.maxUploadBytes();
            // an uploaded image stays in memory (never in a temporary file others might read), within the limit
            config.jetty.multipartConfig.maxFileSize(options.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(options.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) options.maxUploadBytes(), SizeUnit.BYTES);
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.staticFiles.add("/web", Location.CLASSPATH);
            config.routes.before(SecurityHeaders::add);
            config.routes.before(guard::check);
            config.routes.before(auth::check);
            resources.forEach(r -> r.addTo(config.routes));
            ErrorAnswers.addTo(config.routes);
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw cannotListen(options.listen(), options.port(), t);
                }
            }
            throw e;
        }
        return app.port();
    }

    /** Fails now, before anything is created, when the address is taken (by another clipd serve, say). */
    public static void checkCanListen(String listen, int port) throws IOException {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(java.net.InetAddress.getByName(listen), port));
        } catch (BindException e) {
            throw cannotListen(listen, port, e);
        }
    }

    private static IOException cannotListen(String listen, int port, Throwable cause) {
        return new IOException("cannot listen on " + listen + ":" + port + " (" + cause.getMessage()
                + "); is another clipd serve running? choose another with --port", cause);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }
}
