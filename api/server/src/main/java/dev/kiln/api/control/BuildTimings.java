package dev.kiln.api.control;

import dev.kiln.db.BuildRow;
import dev.kiln.db.BuildStepRow;
import dev.kiln.model.BuildStatus;
import dev.kiln.workflows.build.BuildStep;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** How long an ended build spent in each phase, from its row and its steps' rows. */
public final class BuildTimings {
    public static final String QUEUE = "queue";
    public static final String PREBUILD = "prebuild";
    public static final String RECIPE = "recipe";
    public static final String POSTBUILD = "postbuild";
    public static final String PUBLISH = "publish";
    public static final String TOTAL = "total";
    public static final List<String> PHASES = List.of(QUEUE, PREBUILD, RECIPE, POSTBUILD, PUBLISH, TOTAL);

    private BuildTimings() {}

    /** The metric label of a step phase as {@link BuildStep} names it ({@code pre-build} is {@code prebuild}). */
    public static String phaseLabel(String stepPhase) {
        return switch (stepPhase) {
            case BuildStep.PRE_BUILD -> PREBUILD;
            case BuildStep.POST_BUILD -> POSTBUILD;
            default -> RECIPE;
        };
    }

    /**
     * The phases of an ended build: {@code queue} from submit to its first step (a worker taking it, placement,
     * the build sandbox), each step phase from its first step's start to its last step's end, {@code publish}
     * from the last step to the end (healthcheck, commit or flatten, the template row) when the build succeeded,
     * and {@code total} from submit to the end. Phases the build never reached are left out.
     */
    public static Map<String, Duration> phases(BuildRow build, List<BuildStepRow> steps) {
        Map<String, Duration> phases = new LinkedHashMap<>();
        Instant submitted = build.createdAt();
        Instant ended = build.completedAt();
        if (submitted == null || ended == null) {
            return phases;
        }
        Optional<Instant> firstStep = steps.stream().map(BuildStepRow::startedAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder());
        phases.put(QUEUE, between(submitted, firstStep.orElse(ended)));
        for (String phase : List.of(PREBUILD, RECIPE, POSTBUILD)) {
            List<BuildStepRow> inPhase = steps.stream().filter(step -> phaseLabel(step.phase()).equals(phase)).toList();
            Optional<Instant> start = inPhase.stream().map(BuildStepRow::startedAt).filter(Objects::nonNull)
                    .min(Comparator.naturalOrder());
            if (start.isEmpty()) {
                continue;
            }
            // A step cut short (failed, cancelled) has no end of its own: the build's end is when it stopped.
            Instant end = inPhase.stream().map(step -> step.finishedAt() == null ? ended : step.finishedAt())
                    .max(Comparator.naturalOrder()).orElse(ended);
            phases.put(phase, between(start.get(), end));
        }
        if (build.status() == BuildStatus.SUCCESS) {
            Instant lastStep = steps.stream().map(BuildStepRow::finishedAt).filter(Objects::nonNull)
                    .max(Comparator.naturalOrder()).orElse(firstStep.orElse(submitted));
            phases.put(PUBLISH, between(lastStep, ended));
        }
        phases.put(TOTAL, between(submitted, ended));
        return phases;
    }

    private static Duration between(Instant from, Instant to) {
        Duration duration = Duration.between(from, to);
        return duration.isNegative() ? Duration.ZERO : duration;
    }
}
