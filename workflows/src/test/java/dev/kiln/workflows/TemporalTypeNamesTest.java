package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.common.metadata.POJOActivityInterfaceMetadata;
import io.temporal.common.metadata.POJOActivityMethodMetadata;
import io.temporal.common.metadata.POJOWorkflowInterfaceMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import io.temporal.common.metadata.WorkflowMethodType;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Running histories name their workflow, signal, query, update and activity types; a worker that no longer
 * registers one of those names cannot replay them. The names are derived here as the SDK derives them and
 * compared with {@code temporal-type-names.txt}, so a rename, even an accidental one through an interface or
 * method rename, fails the build instead of stranding running workflows.
 */
class TemporalTypeNamesTest {
    private static final String CHECKED_IN = "/temporal-type-names.txt";

    @Test
    void everyRegisteredTypeNameIsTheOneRunningHistoriesUse() throws IOException {
        List<String> derived = derivedNames();
        List<String> checkedIn = checkedInNames();

        assertThat(derived)
                .withFailMessage(() -> "Temporal type names changed. Removed or renamed (histories that use them no"
                        + " longer replay; keep the old name in the annotation): " + without(checkedIn, derived)
                        + "; new: " + without(derived, checkedIn) + ". Only if that is deliberate, make "
                        + "workflows/src/test/resources" + CHECKED_IN + " list exactly:\n" + String.join("\n", derived))
                .isEqualTo(checkedIn);
    }

    @Test
    void everyTypeNameIsWrittenOutSoThatRenamingAnInterfaceOrMethodCannotChangeIt() throws IOException {
        List<String> implicit = new ArrayList<>();
        for (Class<?> type : temporalInterfaces()) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.isSynthetic() || Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                    continue;
                }
                String name = explicitName(type, method);
                if (name == null || name.isEmpty()) {
                    implicit.add(type.getSimpleName() + "." + method.getName());
                }
            }
        }

        assertThat(implicit).as("methods whose type name comes from their Java name").isEmpty();
    }

    private static String explicitName(Class<?> type, Method method) {
        if (type.isAnnotationPresent(ActivityInterface.class)) {
            ActivityMethod activity = method.getAnnotation(ActivityMethod.class);
            return activity == null ? null : activity.name();
        }
        if (method.isAnnotationPresent(WorkflowMethod.class)) {
            return method.getAnnotation(WorkflowMethod.class).name();
        }
        if (method.isAnnotationPresent(SignalMethod.class)) {
            return method.getAnnotation(SignalMethod.class).name();
        }
        if (method.isAnnotationPresent(QueryMethod.class)) {
            return method.getAnnotation(QueryMethod.class).name();
        }
        if (method.isAnnotationPresent(UpdateMethod.class)) {
            return method.getAnnotation(UpdateMethod.class).name();
        }
        if (method.isAnnotationPresent(UpdateValidatorMethod.class)) {
            // A validator has no type name of its own: it names the update it validates.
            return method.getAnnotation(UpdateValidatorMethod.class).updateName();
        }
        return "";
    }

    /** Sorted lines as in the checked-in file; signals, queries and updates are scoped by their workflow type. */
    private static List<String> derivedNames() throws IOException {
        TreeSet<String> names = new TreeSet<>();
        for (Class<?> type : temporalInterfaces()) {
            if (type.isAnnotationPresent(ActivityInterface.class)) {
                for (POJOActivityMethodMetadata method : POJOActivityInterfaceMetadata.newInstance(type).getMethodsMetadata()) {
                    names.add("activity " + method.getActivityTypeName());
                }
                continue;
            }
            POJOWorkflowInterfaceMetadata workflow = POJOWorkflowInterfaceMetadata.newInstance(type);
            String workflowType = workflow.getWorkflowType().orElseThrow(
                    () -> new AssertionError(type.getName() + " has no @WorkflowMethod"));
            for (POJOWorkflowMethodMetadata method : workflow.getMethodsMetadata()) {
                WorkflowMethodType kind = method.getType();
                switch (kind) {
                    case WORKFLOW -> names.add("workflow " + method.getName());
                    case SIGNAL, QUERY, UPDATE -> names.add(kind.name().toLowerCase() + " " + workflowType + " "
                            + method.getName());
                    default -> {
                        // Validators and plain methods register no name of their own.
                    }
                }
            }
        }
        return List.copyOf(names);
    }

    private static List<String> checkedInNames() throws IOException {
        try (InputStream in = TemporalTypeNamesTest.class.getResourceAsStream(CHECKED_IN)) {
            assertThat(in).as(CHECKED_IN).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        }
    }

    /**
     * Every workflow and activity interface compiled into this module, found on disk rather than listed, so that a
     * new interface must have its names checked in too.
     */
    private static List<Class<?>> temporalInterfaces() throws IOException {
        Path classes;
        try {
            classes = Path.of(TaskQueues.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<Class<?>> interfaces = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
                String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                Class<?> type = load(name.substring(0, name.length() - ".class".length()));
                if (type.isInterface() && (type.isAnnotationPresent(WorkflowInterface.class)
                        || type.isAnnotationPresent(ActivityInterface.class))) {
                    interfaces.add(type);
                }
            }
        }
        assertThat(interfaces).as("interfaces found under " + classes).isNotEmpty();
        return interfaces;
    }

    private static Class<?> load(String className) {
        try {
            return Class.forName(className, false, TemporalTypeNamesTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> without(List<String> these, List<String> those) {
        return these.stream().filter(name -> !those.contains(name)).toList();
    }
}
