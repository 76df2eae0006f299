package dev.kiln.api;

import io.dropwizard.assets.AssetsBundle;
import io.dropwizard.servlets.assets.AssetServlet;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The console (module api/console, packed under {@code console/} in the kiln-console jar) at {@code /console/} on
 * the API's own port: same origin as {@code /v1}, so no CORS and the API key never leaves the site. The console
 * routes on the client (/console/builds/bld-..., /console/hosts), so any path there that names no file answers
 * index.html and a deep link or a reload loads the app; a missing file (a stale hashed asset) is still a 404.
 */
final class ConsoleAssets extends AssetsBundle {
    private static final String RESOURCES = "/console";
    private static final String INDEX = "index.html";

    ConsoleAssets() {
        super(RESOURCES, RESOURCES, INDEX, "console");
    }

    @Override
    protected AssetServlet createServlet() {
        return new SinglePageServlet();
    }

    private static final class SinglePageServlet extends AssetServlet {
        private static final long serialVersionUID = 1L;

        SinglePageServlet() {
            super(RESOURCES, RESOURCES, INDEX, StandardCharsets.UTF_8);
        }

        @Override
        protected URL getResourceURL(String absoluteRequestedResourcePath) {
            try {
                return super.getResourceURL(absoluteRequestedResourcePath);
            } catch (IllegalArgumentException missing) {
                String last = absoluteRequestedResourcePath.substring(absoluteRequestedResourcePath.lastIndexOf('/') + 1);
                if (last.contains(".")) {
                    throw missing;
                }
                return super.getResourceURL(RESOURCES.substring(1) + "/" + INDEX);
            }
        }
    }
}
