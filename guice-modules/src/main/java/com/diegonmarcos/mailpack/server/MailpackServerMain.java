package com.diegonmarcos.mailpack.server;

import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.james.GuiceJamesServer;

/**
 * {@code java -jar mailpack-server.jar [--home DIR] [--unprivileged-ports] [--set NAME=VALUE]...}
 *
 * <p>The working directory defaults to {@code -Dworking.directory} or the current directory.
 * {@code --unprivileged-ports} (or {@code MAILPACK_PORTS=unprivileged}) binds 2525/2587/2465/1143/1993/1995
 * so a non-root user can run it without editing a file.
 */
public final class MailpackServerMain {
    /**
     * What the banner shows in place of a password: the password policy refuses it (angle brackets),
     * so copying the command unchanged cannot create an account with a published password.
     */
    static final String PASSWORD_PLACEHOLDER = "<your passphrase>";

    private MailpackServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> overrides = new HashMap<>();
        File home = new File(System.getProperty("working.directory", "."));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--home":
                    home = new File(argument(args, ++i, "--home"));
                    break;
                case "--unprivileged-ports":
                    overrides.put(ConfVariables.PORTS, "unprivileged");
                    break;
                case "--set":
                    String assignment = argument(args, ++i, "--set");
                    int equals = assignment.indexOf('=');
                    if (equals <= 0) {
                        throw usage("--set takes NAME=VALUE, got '" + assignment + "'");
                    }
                    overrides.put(assignment.substring(0, equals), assignment.substring(equals + 1));
                    break;
                default:
                    throw usage("unknown argument '" + args[i] + "'");
            }
        }
        System.setProperty("working.directory", home.getAbsolutePath());

        GuiceJamesServer server = MailpackServer.create(home, overrides);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "mailpack-shutdown"));
        printBanner(server, home.getAbsoluteFile().toPath());
    }

    private static void printBanner(GuiceJamesServer server, Path home) {
        StringBuilder banner = new StringBuilder("\nmailpack is running. Listening on:\n");
        server.getProbe(ListenersProbe.class).describe().forEach(line -> banner.append("  ").append(line).append('\n'));
        Path token = home.resolve(MailpackServer.WEBADMIN_DIRECTORY).resolve(AdminToken.TOKEN);
        int webAdminPort = server.getProbe(org.apache.james.utils.WebAdminGuiceProbe.class).getWebAdminPort().getValue();
        banner.append("Admin token (webadmin JWT): ").append(token).append('\n')
            .append("Create the first user:\n")
            .append("  curl -X PUT -H \"Authorization: Bearer $(cat ").append(token).append(")\" -H 'Content-Type: application/json' \\\n")
            .append("       -d '{\"password\":\"").append(PASSWORD_PLACEHOLDER).append("\"}' http://127.0.0.1:").append(webAdminPort)
            .append("/users/diego@diegonmarcos.com\n")
            .append("  (put your own passphrase in place of ").append(PASSWORD_PLACEHOLDER)
            .append(": 16+ characters, not common words, not the user name)\n");
        System.out.println(banner);
    }

    private static String argument(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw usage(flag + " needs a value");
        }
        return args[index];
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem
            + "\nusage: mailpack-server [--home DIR] [--unprivileged-ports] [--set NAME=VALUE]...");
    }
}
