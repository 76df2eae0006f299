package dev.kiln.cli.wire;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kiln.model.BuildStatus;
import dev.kiln.model.GoldenBuildStatus;
import dev.kiln.model.GoldenStatus;
import dev.kiln.model.SessionStatus;
import dev.kiln.model.WireValue;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI's records against the server's openapi.yaml: every field a record reads or sends is a property of the
 * schema it mirrors, of a matching JSON type, down through nested records, lists and maps; and every status the CLI
 * compares is one the API can send. A contract change the CLI does not follow fails here, not at a user's terminal.
 */
class WireContractTest {
    /** From the module's directory, where Maven runs the tests. */
    private static final Path SPEC = Path.of("../server/src/main/resources/openapi.yaml");
    private static final String SCHEMAS = "/components/schemas/";

    /** Each record the client reads or sends whole, and its schema; the records inside them are found by walking. */
    private static final Map<Class<?>, String> ROOTS = Map.ofEntries(
            entry(BuildView.class, "Build"),
            entry(StepView.class, "BuildStep"),
            entry(BuildStatusEvent.class, "BuildStatusEvent"),
            entry(StepProgressEvent.class, "StepProgressEvent"),
            entry(StepLogEvent.class, "StepLogEvent"),
            entry(HostView.class, "Host"),
            entry(GoldenView.class, "Golden"),
            entry(WriteRateView.class, "WriteRate"),
            entry(SessionView.class, "Session"),
            entry(TemplateView.class, "Template"),
            entry(TemplateVersionView.class, "TemplateVersion"),
            entry(TemplateTagView.class, "TemplateTag"),
            entry(TagMoveView.class, "TagMove"),
            entry(ErrorBody.class, "Error"),
            entry(BuildRequest.class, "BuildRequest"),
            entry(StartSessionRequest.class, "StartSessionRequest"));

    /** Where openapi.yaml enumerates the values of each kiln-model status the CLI reads. */
    private static final Map<Class<? extends WireValue>, List<String>> STATUS_ENUMS = Map.of(
            BuildStatus.class, List.of(SCHEMAS + "BuildStatus/enum"),
            GoldenStatus.class, List.of(SCHEMAS + "GoldenHost/properties/status/enum"),
            GoldenBuildStatus.class, List.of(SCHEMAS + "WriteRate/properties/status/enum"),
            SessionStatus.class, List.of(SCHEMAS + "Session/properties/status/enum"));

    private static final Map<Class<?>, String> SCALARS = Map.ofEntries(
            entry(String.class, "string"),
            entry(int.class, "integer"), entry(Integer.class, "integer"),
            entry(long.class, "integer"), entry(Long.class, "integer"),
            entry(double.class, "number"), entry(Double.class, "number"),
            entry(boolean.class, "boolean"), entry(Boolean.class, "boolean"));

    private static final ObjectMapper JSON = WireJson.mapper();
    private static JsonNode spec;

    @BeforeAll
    static void readSpec() throws IOException {
        assertThat(SPEC).as("the server's openapi.yaml, from api/cli").isRegularFile();
        spec = new YAMLMapper().readTree(SPEC.toFile());
    }

    @Test
    void everyFieldTheRecordsReadOrSendIsInItsSchemaWithAMatchingType() {
        List<String> problems = new ArrayList<>();
        Set<Class<?>> checked = new HashSet<>();
        ROOTS.forEach((type, schema) -> checkRecord(type, SCHEMAS + schema, problems, checked));

        assertThat(problems).isEmpty();
    }

    @Test
    void everyRecordOfThePackageIsChecked() throws Exception {
        Set<Class<?>> checked = new HashSet<>();
        ROOTS.forEach((type, schema) -> checkRecord(type, SCHEMAS + schema, new ArrayList<>(), checked));

        Set<Class<?>> records = mainRecords();
        assertThat(records).as("sanity: the package's records were found").contains(BuildView.class, ErrorBody.Detail.class);
        assertThat(records).as("records not reached from ROOTS, so not checked against openapi.yaml")
                .isSubsetOf(checked);
    }

    @Test
    void theStatusesTheCliReadsAreExactlyTheOnesTheApiSends() {
        STATUS_ENUMS.forEach((type, pointers) -> {
            List<String> known = Arrays.stream(type.getEnumConstants()).map(WireValue::wire).toList();
            for (String pointer : pointers) {
                List<String> sent = new ArrayList<>();
                spec.at(pointer).forEach(allowed -> sent.add(allowed.asText()));
                assertThat(sent).as("%s at %s", type.getSimpleName(), pointer).containsExactlyInAnyOrderElementsOf(known);
            }
        });
    }

    /** The check itself must fail on drift, or the tests above prove nothing. */
    @Test
    void aRenamedOrRetypedFieldIsReported() {
        record Renamed(int currentStepp) {}
        record Retyped(String totalSteps, List<Renamed> steps) {}
        List<String> problems = new ArrayList<>();

        checkRecord(Renamed.class, SCHEMAS + "Build", problems, new HashSet<>());
        checkRecord(Retyped.class, SCHEMAS + "Build", problems, new HashSet<>());

        assertThat(problems).containsExactly(
                "Renamed.currentStepp: no property current_stepp at /components/schemas/Build",
                "Retyped.totalSteps: String is not integer at /components/schemas/Build/properties/total_steps",
                "Renamed.currentStepp: no property current_stepp at /components/schemas/BuildStep");
    }

    private static void checkRecord(Class<?> type, String pointer, List<String> problems, Set<Class<?>> checked) {
        checked.add(type);
        JsonNode schema = resolve(spec.at(pointer));
        Map<String, String> jsonNames = jsonNames(type);
        for (RecordComponent component : type.getRecordComponents()) {
            String field = type.getSimpleName() + "." + component.getName();
            if (takesAnyProperty(type, component)) {
                if (!schema.path("additionalProperties").asBoolean(false)) {
                    problems.add(field + ": takes any property, but " + pointer + " allows no additional ones");
                }
                continue;
            }
            String name = jsonNames.get(component.getName());
            if (!schema.path("properties").has(name)) {
                problems.add(field + ": no property " + name + " at " + pointer);
                continue;
            }
            checkType(field, component.getGenericType(), pointer + "/properties/" + name, problems, checked);
        }
    }

    /** {@code @JsonAnySetter} on a component lands on its field and constructor parameter, not on the component. */
    private static boolean takesAnyProperty(Class<?> type, RecordComponent component) {
        try {
            return type.getDeclaredField(component.getName()).isAnnotationPresent(JsonAnySetter.class);
        } catch (NoSuchFieldException e) {
            throw new AssertionError("a record component without its field: " + component, e);
        }
    }

    private static void checkType(String field, Type type, String pointer, List<String> problems, Set<Class<?>> checked) {
        JsonNode schema = resolve(spec.at(pointer));
        Class<?> raw = type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
        String declared = schema.path("type").asText("");
        String expected = raw.isRecord() || Map.class.isAssignableFrom(raw) ? "object"
                : List.class.isAssignableFrom(raw) ? "array"
                : SCALARS.getOrDefault(raw, "");
        if (!declared.equals(expected)) {
            problems.add(field + ": " + raw.getSimpleName() + " is not " + (declared.isEmpty() ? "typed" : declared)
                    + " at " + pointer);
            return;
        }
        if (raw.isRecord()) {
            checkRecord(raw, target(pointer), problems, checked);
        } else if (List.class.isAssignableFrom(raw)) {
            checkType(field, argument(type, 0), target(pointer) + "/items", problems, checked);
        } else if (Map.class.isAssignableFrom(raw)) {
            checkType(field, argument(type, 1), target(pointer) + "/additionalProperties", problems, checked);
        }
    }

    /** The JSON name of each record component, as the client's mapper reads it (its naming strategy applied). */
    private static Map<String, String> jsonNames(Class<?> type) {
        BeanDescription description = JSON.getDeserializationConfig().introspect(JSON.constructType(type));
        return description.findProperties().stream()
                .collect(Collectors.toMap(BeanPropertyDefinition::getInternalName, BeanPropertyDefinition::getName));
    }

    /** A {@code $ref} followed to the schema it names; anything else as it is. */
    private static JsonNode resolve(JsonNode schema) {
        return schema.has("$ref") ? spec.at(target(schema.path("$ref").asText().substring(1))) : schema;
    }

    /** Where the schema at {@code pointer} is written out: its {@code $ref}'s target, or the pointer itself. */
    private static String target(String pointer) {
        JsonNode at = spec.at(pointer);
        return at.has("$ref") ? target(at.path("$ref").asText().substring(1)) : pointer;
    }

    private static Type argument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }

    /** The records compiled into this package of the main classes (not the tests'). */
    private static Set<Class<?>> mainRecords() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(BuildView.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path directory = classes.resolve(BuildView.class.getPackageName().replace('.', '/'));
        Set<Class<?>> records = new HashSet<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName(BuildView.class.getPackageName() + "." + name);
                if (type.isRecord()) {
                    records.add(type);
                }
            }
        }
        return records;
    }
}
