package dev.kiln.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kiln.api.errors.ErrorCode;
import dev.kiln.api.resources.OpenApiResource;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * openapi.yaml against the code: the routes the resources serve, and the error codes the sources throw. No server:
 * routes come from the JAX-RS annotations, codes from the source text.
 */
class OpenApiContractTest {
    private static final String RESOURCES_PACKAGE = "dev.kiln.api.resources";
    private static final Set<String> OPERATION_KEYS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{[^}]*}");
    /** A code the main sources use: every error is answered through an {@link ErrorCode} constant. */
    private static final Pattern CODE_REFERENCE = Pattern.compile("ErrorCode\\.([A-Z_]+)\\b");

    private static JsonNode document;
    private static String text;

    @BeforeAll
    static void readDocument() throws IOException {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        document = new YAMLMapper().readTree(text);
    }

    @Test
    void documentIsOpenApiThree() {
        assertThat(document.path("openapi").asText()).startsWith("3.0");
        assertThat(document.path("paths").size()).isPositive();
    }

    @Test
    void everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() throws Exception {
        Set<String> served = servedRoutes();
        Set<String> documented = documentedRoutes();

        assertThat(served).as("sanity: the resources were found").contains("GET /v1/hosts", "POST /v1/admin/builds");
        assertThat(difference(served, documented)).as("routes served but not in openapi.yaml").isEmpty();
        assertThat(difference(documented, served)).as("routes in openapi.yaml that nothing serves").isEmpty();
    }

    @Test
    void everyErrorCodeIsUsedAndDocumentedAndEveryDocumentedCodeExists() throws IOException {
        Set<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(TreeSet::new));
        Set<String> used = usedCodes();
        Set<String> documented = documentedCodes();

        assertThat(used).as("sanity: codes were found").contains("invalid_request", "template_name_taken");
        assertThat(difference(codes, used)).as("codes no source answers with").isEmpty();
        assertThat(difference(codes, documented)).as("codes not in any x-error-codes").isEmpty();
        assertThat(difference(documented, codes)).as("codes documented that ErrorCode does not have").isEmpty();
    }

    @Test
    void everyErrorResponseNamesItsCodes() {
        List<String> unnamed = new ArrayList<>();
        forEachOperation((route, operation) -> operation.path("responses").fields().forEachRemaining(response -> {
            int status = Integer.parseInt(response.getKey());
            JsonNode body = resolve(response.getValue());
            if (status >= 400 && (!body.path("x-error-codes").isArray() || body.path("x-error-codes").isEmpty())) {
                unnamed.add(route + " " + status);
            }
        }));
        assertThat(unnamed).as("error responses without x-error-codes").isEmpty();
    }

    @Test
    void everyRouteWithAPathParameterDocumentsTheInvalidRequestOfAPathTheServerRefuses() {
        List<String> missing = new ArrayList<>();
        forEachOperation((route, operation) -> {
            if (route.contains("{}") && !codesOf(operation, "400").contains("invalid_request")) {
                missing.add(route);
            }
        });
        assertThat(missing).as("routes whose 400 does not list invalid_request").isEmpty();
    }

    @Test
    void everyRouteButTheDocumentItselfDocumentsA503WithRetryAfterForADatabaseThatIsDown() {
        List<String> missing = new ArrayList<>();
        forEachOperation((route, operation) -> {
            JsonNode unavailable = resolve(operation.path("responses").path("503"));
            if (!route.equals("GET /openapi.yaml") && (!codesOf(operation, "503").contains("database_unavailable")
                    || resolve(unavailable.path("headers").path("Retry-After")).isMissingNode())) {
                missing.add(route);
            }
        });
        assertThat(missing).as("routes without a 503 database_unavailable and its Retry-After").isEmpty();
    }

    @Test
    void everyReferenceResolves() {
        Matcher references = Pattern.compile("\\$ref: '#/([^']+)'").matcher(text);
        List<String> dangling = new ArrayList<>();
        while (references.find()) {
            JsonNode target = document.at("/" + references.group(1));
            if (target.isMissingNode()) {
                dangling.add(references.group(1));
            }
        }
        assertThat(dangling).isEmpty();
    }

    @Test
    void snapshotsSayTheyCaptureTheFilesystemNotMemory() {
        String description = document.at("/paths/~1v1~1snapshots/post/description").asText();
        assertThat(description).contains("filesystem").contains("not its memory").contains("Firecracker");
    }

    @Test
    void openApiResourceServesTheClasspathDocumentAsYaml() {
        Response response = new OpenApiResource().get();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(new String((byte[]) response.getEntity(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(servedRoutesOf(OpenApiResource.class)).containsExactly("GET /openapi.yaml");
    }

    // ---------------------------------------------------------------- served routes

    private static Set<String> servedRoutes() throws IOException, URISyntaxException, ClassNotFoundException {
        Set<String> routes = new TreeSet<>();
        for (Class<?> resource : resourceClasses()) {
            routes.addAll(servedRoutesOf(resource));
        }
        return routes;
    }

    /** Class @Path joined with each resource method's @Path; none for a class without a @Path (a filter, say). */
    private static Set<String> servedRoutesOf(Class<?> resource) {
        Set<String> routes = new TreeSet<>();
        Path classPath = resource.getAnnotation(Path.class);
        if (classPath == null) {
            return routes;
        }
        for (Method method : resource.getMethods()) {
            String httpMethod = httpMethod(method);
            if (httpMethod == null) {
                assertThat(method.getAnnotation(Path.class)).as("sub-resource locator %s is not checked", method).isNull();
                continue;
            }
            Path methodPath = method.getAnnotation(Path.class);
            routes.add(httpMethod + " " + normalise(classPath.value() + "/" + (methodPath == null ? "" : methodPath.value())));
        }
        return routes;
    }

    /** Every top-level class compiled into the resources package, so that a resource added later is checked too. */
    private static List<Class<?>> resourceClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        URL directory = OpenApiResource.class.getResource(OpenApiResource.class.getSimpleName() + ".class");
        assertThat(directory).isNotNull();
        assertThat(directory.getProtocol()).as("resources are read from a classes directory").isEqualTo("file");
        java.nio.file.Path classes = java.nio.file.Path.of(directory.toURI()).getParent();
        List<Class<?>> found = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.list(classes)) {
            for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$")) {
                    found.add(Class.forName(RESOURCES_PACKAGE + "." + name.substring(0, name.length() - ".class".length())));
                }
            }
        }
        return found;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod httpMethod = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (httpMethod != null) {
                return httpMethod.value();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- documented routes and codes

    private static Set<String> documentedRoutes() {
        Set<String> routes = new TreeSet<>();
        forEachOperation((route, operation) -> routes.add(route));
        return routes;
    }

    private static void forEachOperation(BiConsumer<String, JsonNode> action) {
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fields().forEachRemaining(operation -> {
                if (OPERATION_KEYS.contains(operation.getKey())) {
                    action.accept(operation.getKey().toUpperCase(Locale.ROOT) + " " + normalise(path.getKey()),
                            operation.getValue());
                }
            });
        }
    }

    /** Every x-error-codes list anywhere in the document. */
    private static Set<String> documentedCodes() {
        Set<String> codes = new TreeSet<>();
        for (JsonNode list : document.findValues("x-error-codes")) {
            list.forEach(code -> codes.add(code.asText()));
        }
        return codes;
    }

    private static List<String> codesOf(JsonNode operation, String status) {
        List<String> codes = new ArrayList<>();
        resolve(operation.path("responses").path(status)).path("x-error-codes").forEach(code -> codes.add(code.asText()));
        return codes;
    }

    private static JsonNode resolve(JsonNode node) {
        String reference = node.path("$ref").asText("");
        return reference.startsWith("#/") ? document.at(reference.substring(1)) : node;
    }

    /** Codes named in main sources, and those Jetty's and Jersey's own errors get by their status. */
    private static Set<String> usedCodes() throws IOException {
        java.nio.file.Path sources = java.nio.file.Path.of("src/main/java");
        assertThat(sources).as("run from the api module").isDirectory();
        Set<String> codes = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(sources)) {
            for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                Matcher matcher = CODE_REFERENCE.matcher(Files.readString(file));
                while (matcher.find()) {
                    codes.add(ErrorCode.valueOf(matcher.group(1)).code());
                }
            }
        }
        IntStream.range(400, 600).mapToObj(ErrorCode::forStatus).forEach(code -> codes.add(code.code()));
        return codes;
    }

    // ---------------------------------------------------------------- helpers

    /** One slash between segments, none at the end, and every path parameter as {}: only the shape matters. */
    static String normalise(String path) {
        String joined = ("/" + path).replaceAll("/+", "/");
        if (joined.length() > 1 && joined.endsWith("/")) {
            joined = joined.substring(0, joined.length() - 1);
        }
        return PATH_PARAMETER.matcher(joined).replaceAll("{}");
    }

    private static Set<String> difference(Set<String> left, Set<String> right) {
        Set<String> result = new TreeSet<>(left);
        result.removeAll(right);
        return result;
    }
}
