package dev.kiln.api.control;

import dev.kiln.db.PlacementDao.EarlierBuild;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which hosts likely hold a build's leading steps in their step cache: those that ran an earlier build on the same
 * base image sharing the longest run of leading recipe lines with it (the pre- and post-build steps are planned alike
 * for both, or for neither). A guess from what PostgreSQL knows; the host's own lookup decides what is cached.
 */
final class CacheAffinity {

    private CacheAffinity() {}

    static Set<String> warmHosts(List<String> recipe, boolean skipPrePost, List<EarlierBuild> earlier) {
        int best = 0;
        Set<String> warm = new HashSet<>();
        for (EarlierBuild build : earlier) {
            if (build.skipPrePost() != skipPrePost) {
                continue;
            }
            int shared = sharedLeadingLines(recipe, build.recipe());
            if (shared > best) {
                best = shared;
                warm.clear();
            }
            if (shared == best && shared > 0) {
                warm.add(build.hostId());
            }
        }
        return warm;
    }

    private static int sharedLeadingLines(List<String> one, List<String> other) {
        int shared = 0;
        while (shared < one.size() && shared < other.size() && one.get(shared).equals(other.get(shared))) {
            shared++;
        }
        return shared;
    }
}
