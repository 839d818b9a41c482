package clipd.http;

import io.javalin.config.RoutesConfig;

/** One resource's part of the route table. */
interface Routes {
    void addTo(RoutesConfig routes);
}
