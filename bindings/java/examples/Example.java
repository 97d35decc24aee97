import govai.Deployment;
import govai.Govai;
import govai.GovaiException;
import govai.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * The Rust demo ({@code govai demo}) in Java: the shipped batch of citizen messages through a
 * deployment with the built-in models, one line per message (audit id, scenario, data level,
 * outcome, answer), then the audit log verified.
 *
 * <pre>
 * java -cp build/java:/usr/share/java/jna.jar -Djna.library.path=target/debug Example [messages.jsonl]
 * </pre>
 */
public final class Example {
    /** Modelled on crates/govai/data/default.toml; the audit log goes under the base directory. */
    static final String CONFIG = """
            [deployment]
            name = "示例市政务服务（Java 演示）"

            [audit]
            path = "audit.jsonl"
            fsync = "always"

            [labels]
            producer = "示例市政务服务数据管理局"

            [[models]]
            id = "faq-bm25"
            backend = "faq"
            version = "1"
            clearance = "sensitive"
            location = "on_premises"

            [[models]]
            id = "router-knn"
            backend = "router"
            version = "1"
            clearance = "sensitive"
            location = "on_premises"

            [[scenarios]]
            id = "intelligent_qa"
            model = "faq-bm25"

            [[scenarios]]
            id = "assisted_handling"
            model = "faq-bm25"

            [[scenarios]]
            id = "policy_direct_access"
            model = "faq-bm25"

            [[scenarios]]
            id = "information_retrieval"
            model = "faq-bm25"

            [[scenarios]]
            id = "intelligent_routing"
            model = "router-knn"
            """;

    private Example() {}

    static String fit(String s, int max) {
        String flat = s.replace('\n', ' ');
        return flat.codePointCount(0, flat.length()) <= max
                ? flat
                : flat.substring(0, flat.offsetByCodePoints(0, max - 1)) + "…";
    }

    public static void main(String[] args) throws IOException {
        Path messages = Paths.get(args.length > 0 ? args[0] : "crates/govai/data/demo_messages.jsonl");
        Path dir = Files.createTempDirectory("govai-java-demo");
        Path log = dir.resolve("audit.jsonl");
        System.out.println("govai " + Govai.version() + ", messages " + messages + ", audit log " + log);

        int handled = 0;
        try (Deployment deployment = Deployment.fromToml(CONFIG, dir)) {
            System.out.printf("%-5s  %-21s  %-16s  %-9s  %s%n", "audit", "scenario", "level", "outcome",
                    "answer (reference only)");
            List<String> lines = Files.readAllLines(messages, StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                // Each line is already a request in the C API's JSON form.
                Map<String, Object> r;
                try {
                    r = Json.parseObject(deployment.handleJson(line));
                } catch (GovaiException e) {
                    System.err.println("request failed: " + e);
                    System.exit(1);
                    return;
                }
                String level = (String) r.get("data_level");
                int rank = Govai.LEVELS.indexOf(level);
                String zh = List.of("公开", "内部", "敏感", "重要", "核心", "涉密").get(rank);
                System.out.printf("%-5s  %-21s  %-16s  %-9s  %s%n", r.get("audit_id"), r.get("scenario"),
                        level + " " + zh, r.get("outcome"), fit((String) r.get("output"), 40));
                handled++;
            }
        }

        Govai.AuditReport report = Govai.verifyAudit(log);
        Map<String, Object> v = Json.parseObject(report.json());
        System.out.printf("%n%s: %s, %s records, anchor %s%n", log, report.intact() ? "intact" : "NOT INTACT",
                v.get("records"), v.get("anchor"));
        if (!report.intact() || ((Long) v.get("records")) != handled) {
            System.exit(1);
        }
    }
}
