package dev.kiln.workflows.build;

import dev.kiln.workflows.build.recipe.ExecutionContext;
import dev.kiln.workflows.build.recipe.Instruction;
import dev.kiln.workflows.sandbox.ArchiveDigest;
import dev.kiln.workflows.sandbox.StepContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the per-step layer cache keys a step on, and which steps it holds. A step's key hashes its parent's key (the
 * base image's id for the first step), its instruction and arguments, the context it runs in (user, workdir and the
 * environment less the session's own variables, such as the container's HOSTNAME), and what it reads of the uploaded
 * archive: for COPY the digest of the entries under each source, for a RUN that names the build-files dir the whole
 * archive's. A change anywhere therefore changes the key of that step and of every step after it.
 *
 * <p>A START and every step after it have no key: a cached image cannot hold the process START left running, and
 * what that process writes makes the steps after it depend on more than their key says.
 */
public final class StepCacheKeys {

    /** Where the host unpacks the archive; a RUN naming it may read any entry. */
    public static final String BUILD_FILES_NAME = "build-files";

    /** Part of every key: a change to what keys cover starts a new cache instead of misreading the old one. */
    private static final String FORMAT = "kiln-step-cache/1";

    private StepCacheKeys() {}

    /** Every COPY source of the build, once each, in recipe order: what the archive's digest must cover. */
    public static List<String> copySources(List<BuildStep> steps) {
        Set<String> sources = new LinkedHashSet<>();
        for (BuildStep step : steps) {
            if (Instruction.COPY.name().equals(step.instruction())) {
                sources.addAll(step.arguments().subList(0, step.arguments().size() - 1));
            }
        }
        return List.copyOf(sources);
    }

    /**
     * False for steps that only change the context (ENV, USER root): the cache needs no image for them. Such a step
     * counts as cached when a later step that changes files is, since that step's key covers it.
     */
    public static boolean changesFiles(String instruction, List<String> arguments) {
        return switch (Instruction.valueOf(instruction)) {
            case ENV -> false;
            case USER -> !ExecutionContext.ROOT.equals(arguments.get(0));
            case RUN, START, WORKDIR, COPY -> true;
        };
    }

    /** A RUN that names the build-files dir: keyed on the whole archive, since it may read or change any entry. */
    public static boolean readsWholeArchive(BuildStep step) {
        return Instruction.RUN.name().equals(step.instruction()) && step.arguments().get(0).contains(BUILD_FILES_NAME);
    }

    /** How many leading steps the cache holds, and the key of the last one it holds an image of (null for none). */
    public record CachedPrefix(int steps, String imageKey) {}

    /**
     * The longest run of leading steps the cache holds: up to the last step that changes files and whose key
     * {@code cached} holds, with every step before it held too. Steps that change no files in between are held
     * through it; those after it are not, and rerun (at no cost: they only change the context).
     */
    public static CachedPrefix cachedPrefix(List<BuildStep> steps, List<String> keys, Predicate<String> cached) {
        int held = 0;
        String imageKey = null;
        for (int index = 0; index < keys.size() && keys.get(index) != null; index++) {
            BuildStep step = steps.get(index);
            if (!changesFiles(step.instruction(), step.arguments())) {
                continue;
            }
            if (!cached.test(keys.get(index))) {
                break;
            }
            held = index + 1;
            imageKey = keys.get(index);
        }
        return new CachedPrefix(held, imageKey);
    }

    /**
     * The key of every step, null from the first START on.
     *
     * @param contexts the context each step runs in, one per step
     * @param archive null for a build without an archive
     */
    public static List<String> keys(
            String baseImageId, List<BuildStep> steps, List<StepContext> contexts, ArchiveDigest archive) {
        if (steps.size() != contexts.size()) {
            throw new IllegalArgumentException(steps.size() + " steps but " + contexts.size() + " contexts");
        }
        List<String> keys = new ArrayList<>(steps.size());
        String parent = baseImageId;
        for (int index = 0; index < steps.size(); index++) {
            BuildStep step = steps.get(index);
            if (Instruction.START.name().equals(step.instruction())) {
                keys.addAll(Collections.nCopies(steps.size() - index, null));
                break;
            }
            parent = key(parent, step, contexts.get(index), archive);
            keys.add(parent);
        }
        return keys;
    }

    private static String key(String parent, BuildStep step, StepContext context, ArchiveDigest archive) {
        KeyHash hash = new KeyHash();
        hash.add(FORMAT).add(parent).add(step.instruction()).add(String.valueOf(step.arguments().size()));
        step.arguments().forEach(hash::add);
        ExecutionContext runIn = new ExecutionContext(context.workdir(), context.env(), context.user());
        hash.add(runIn.user()).add(runIn.workdir());
        Map<String, String> env = new TreeMap<>(runIn.env());
        env.keySet().removeAll(TemplateBuildWorkflowImpl.SESSION_VARIABLES);
        hash.add(String.valueOf(env.size()));
        env.forEach((name, value) -> hash.add(name).add(value));
        hash.add(archiveRead(step, archive));
        return hash.hex();
    }

    private static String archiveRead(BuildStep step, ArchiveDigest archive) {
        Instruction instruction = Instruction.valueOf(step.instruction());
        if (instruction == Instruction.COPY) {
            StringBuilder read = new StringBuilder();
            for (String source : step.arguments().subList(0, step.arguments().size() - 1)) {
                String digest = archive == null || archive.sources() == null ? null : archive.sources().get(source);
                read.append(source).append('=').append(digest == null ? "missing" : digest).append('\n');
            }
            return read.toString();
        }
        if (readsWholeArchive(step)) {
            return archive == null ? "no archive" : archive.archive();
        }
        return "";
    }

    /** SHA-256 over length-prefixed fields, so that no two different field lists hash the same text. */
    private static final class KeyHash {
        private final MessageDigest digest;

        KeyHash() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        KeyHash add(String field) {
            byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
            digest.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
            digest.update(bytes);
            return this;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
