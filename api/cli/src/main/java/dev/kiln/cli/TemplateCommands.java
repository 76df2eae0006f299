package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.cli.wire.TagMoveView;
import dev.kiln.cli.wire.TemplateTagView;
import dev.kiln.cli.wire.TemplateVersionView;
import dev.kiln.cli.wire.TemplateView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln templates ...}: templates, their versions and tags. */
@Command(name = "templates", description = {
    "Templates, their versions and tags.",
    "Sandboxes and builds name a template as name (its latest), name:tag or name@v3."})
final class TemplateCommands {
    private static final String TEMPLATES = "/v1/templates";
    private static final Pattern VERSION = Pattern.compile("v?([1-9][0-9]{0,8})");
    private static final int DIGEST_SHOWN = 12;

    @ParentCommand
    private KilnCommand kiln;

    @Command(name = "list", description = "The templates the key sees, newest first, each at its latest version.")
    int list(@Option(names = "--type", paramLabel = "TYPE", description = "image or snapshot") String type,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String path = TEMPLATES + (type == null ? "" : "?type=" + KilnClient.segment(type));
        if (json) {
            return printJson(path);
        }
        TextTable table = new TextTable("NAME", "LATEST", "TYPE", "OWNER", "SIZE", "CREATED");
        for (TemplateView template : kiln.client().list(path, TemplateView.class)) {
            table.row(template.name(), latest(template), template.type(), template.platform() ? "platform" : "team",
                    template.sizeBytes() == null ? "-" : Units.bytes(template.sizeBytes()),
                    Timestamps.ago(template.createdAt(), kiln.clock()));
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "versions", description = {
        "A template's versions, newest first.", "With the tags on each, what it was made from, and revocations."})
    int versions(@Parameters(paramLabel = "<name>", description = "the template") String name,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String path = templatePath(name) + "/versions";
        if (json) {
            return printJson(path);
        }
        TextTable table = new TextTable("VERSION", "TAGS", "TYPE", "FROM", "MADE BY", "RECIPE", "CREATED", "REVOKED");
        for (TemplateVersionView version : kiln.client().list(path, TemplateVersionView.class)) {
            table.row("v" + version.version(), version.tags().isEmpty() ? "-" : String.join(",", version.tags()),
                    version.type(), parent(version), version.buildId() != null ? version.buildId() : version.snapshotId(),
                    shortDigest(version.recipeSha256()), Timestamps.ago(version.createdAt(), kiln.clock()),
                    !version.revoked() ? "-" : version.revokeReason() == null ? "yes" : "yes: " + version.revokeReason());
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "tags", description = "A template's tags and the version each points at.")
    int tags(@Parameters(paramLabel = "<name>", description = "the template") String name,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String path = templatePath(name) + "/tags";
        if (json) {
            return printJson(path);
        }
        TextTable table = new TextTable("TAG", "VERSION", "MOVED");
        for (TemplateTagView tag : kiln.client().list(path, TemplateTagView.class)) {
            table.row(tag.tag(), "v" + tag.version(), Timestamps.ago(tag.movedAt(), kiln.clock()));
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "history", description = "Every move of a tag, newest first.")
    int history(@Parameters(index = "0", paramLabel = "<name>", description = "the template") String name,
            @Parameters(index = "1", paramLabel = "<tag>", description = "the tag") String tag,
            @Option(names = "--json", description = "print the API's JSON as it came") boolean json) {
        String path = tagPath(name, tag) + "/history";
        if (json) {
            return printJson(path);
        }
        TextTable table = new TextTable("MOVED", "FROM", "TO", "REASON", "BY");
        for (TagMoveView move : kiln.client().list(path, TagMoveView.class)) {
            table.row(Timestamps.ago(move.movedAt(), kiln.clock()),
                    move.fromVersion() == null ? "-" : "v" + move.fromVersion(), "v" + move.toVersion(), move.reason(),
                    move.movedBy());
        }
        kiln.out().print(table.render());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "tag", description = {
        "Point a tag at a version, creating or moving it.", "latest moves again with the next build of the name."})
    int tag(@Parameters(index = "0", paramLabel = "<name>", description = "the template") String name,
            @Parameters(index = "1", paramLabel = "<tag>", description = "the tag") String tag,
            @Parameters(index = "2", paramLabel = "<version>", description = "the version, as 3 or v3") String version) {
        TemplateTagView moved = kiln.client().put(tagPath(name, tag), Map.of("version", versionNumber(version)),
                TemplateTagView.class);
        kiln.out().println(name + ":" + moved.tag() + " -> v" + moved.version());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "rollback", description = {
        "Move a tag back to the version it held before its current one.",
        "Or with --to to an earlier one it held; a second rollback undoes the first."})
    int rollback(@Parameters(index = "0", paramLabel = "<name>", description = "the template") String name,
            @Parameters(index = "1", paramLabel = "<tag>", arity = "0..1", defaultValue = "latest",
                    description = "the tag (default: latest)") String tag,
            @Option(names = "--to", paramLabel = "VERSION", description = "a version the tag held before") String to) {
        Map<String, Object> request = new LinkedHashMap<>();
        if (to != null) {
            request.put("version", versionNumber(to));
        }
        TemplateTagView moved = kiln.client().post(tagPath(name, tag) + "/rollback", request, TemplateTagView.class);
        kiln.out().println(name + ":" + moved.tag() + " -> v" + moved.version());
        return KilnCli.EXIT_OK;
    }

    @Command(name = "revoke", description = {
        "Revoke a version: new sandboxes and builds from it are refused.", "Those already running keep running."})
    int revoke(@Parameters(index = "0", paramLabel = "<name>", description = "the template") String name,
            @Parameters(index = "1", paramLabel = "<version>", description = "the version, as 3 or v3") String version,
            @Option(names = "--reason", paramLabel = "TEXT", description = "why; refusals quote it") String reason) {
        Map<String, Object> request = reason == null ? Map.of() : Map.of("reason", reason);
        TemplateVersionView revoked = kiln.client().post(versionPath(name, version) + "/revoke", request,
                TemplateVersionView.class);
        kiln.out().println(name + "@v" + revoked.version() + " revoked"
                + (revoked.tags().isEmpty() ? "" : "; tags pointing at it: " + String.join(", ", revoked.tags())));
        return KilnCli.EXIT_OK;
    }

    @Command(name = "restore", description = "Undo a version's revocation.")
    int restore(@Parameters(index = "0", paramLabel = "<name>", description = "the template") String name,
            @Parameters(index = "1", paramLabel = "<version>", description = "the version, as 3 or v3") String version) {
        TemplateVersionView restored = kiln.client().post(versionPath(name, version) + "/restore", null,
                TemplateVersionView.class);
        kiln.out().println(name + "@v" + restored.version() + " restored");
        return KilnCli.EXIT_OK;
    }

    private int printJson(String path) {
        kiln.out().println(kiln.client().get(path, JsonNode.class).toPrettyString());
        return KilnCli.EXIT_OK;
    }

    /** Checked here, so that a typo is a wrong command line (exit 2) rather than the API's refusal. */
    private int versionNumber(String version) {
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.matches()) {
            throw kiln.usageError("a version is a positive number, as 3 or v3, not \"" + version + "\"");
        }
        return Integer.parseInt(matcher.group(1));
    }

    private String versionPath(String name, String version) {
        return templatePath(name) + "/versions/" + versionNumber(version);
    }

    private static String templatePath(String name) {
        return TEMPLATES + "/" + KilnClient.segment(name);
    }

    private static String tagPath(String name, String tag) {
        return templatePath(name) + "/tags/" + KilnClient.segment(tag);
    }

    private static String latest(TemplateView template) {
        if (template.version() == null) {
            return "-";
        }
        return "v" + template.version() + (template.revokedAt() == null ? "" : " (revoked)");
    }

    private static String parent(TemplateVersionView version) {
        TemplateVersionView.Parent parent = version.parent();
        return parent == null || parent.template() == null ? "-"
                : parent.template() + (parent.version() == null ? "" : "@v" + parent.version());
    }

    /** The first hex digits of a SHA-256, as git shows a commit. */
    private static String shortDigest(String hex) {
        if (hex == null) {
            return "-";
        }
        return hex.length() > DIGEST_SHOWN ? hex.substring(0, DIGEST_SHOWN) : hex;
    }
}
