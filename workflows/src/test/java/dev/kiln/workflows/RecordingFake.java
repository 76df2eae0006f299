package dev.kiln.workflows;

import dev.kiln.model.WireValue;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Activity fakes that log each call as "method arg1 arg2" into one shared list, so that a test reads the order of
 * work across the control and host queues, and answer each method with the rule the test gave it.
 */
public final class RecordingFake {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Object[], Object>> answers = new ConcurrentHashMap<>();

    public List<String> calls() {
        return calls;
    }

    /** How {@code method} answers; a method without a rule returns null. A rule may throw to fail the activity. */
    public RecordingFake answer(String method, Function<Object[], Object> answer) {
        answers.put(method, answer);
        return this;
    }

    public <T> T of(Class<T> activities) {
        return activities.cast(Proxy.newProxyInstance(activities.getClassLoader(), new Class<?>[] {activities},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(this, args);
                    }
                    StringBuilder call = new StringBuilder(method.getName());
                    for (Object arg : args == null ? new Object[0] : args) {
                        call.append(' ').append(arg instanceof String || arg instanceof Number || arg instanceof Boolean
                                ? arg : arg instanceof WireValue value ? value.wire()
                                : arg == null ? "null" : arg.getClass().getSimpleName());
                    }
                    calls.add(call.toString());
                    Function<Object[], Object> answer = answers.get(method.getName());
                    return answer == null ? null : answer.apply(args);
                }));
    }
}
