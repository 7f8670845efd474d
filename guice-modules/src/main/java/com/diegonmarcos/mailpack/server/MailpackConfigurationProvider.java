package com.diegonmarcos.mailpack.server;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.util.LoggingLevel;

import com.google.common.base.Splitter;

/**
 * Reads {@code conf/<component>.xml} like James' own provider, but
 * <ul>
 *   <li>substitutes {@code ${VARIABLE:-default}} references first (see {@link ConfVariables});</li>
 *   <li>names the file in every error (malformed XML, undefined variable);</li>
 *   <li>checks that every TLS certificate, key and keystore of an enabled {@code <tls>} element exists,
 *       naming the file and the element path, so a wrong path stops the start instead of the first
 *       handshake.</li>
 * </ul>
 * A missing file means "use James' defaults", as upstream.
 */
public class MailpackConfigurationProvider implements ConfigurationProvider {
    private static final List<String> TLS_FILE_KEYS = List.of("certificates", "privateKey", "keystore");

    private final File confDirectory;
    private final FileSystemImpl fileSystem;
    private final ConfVariables variables;

    public MailpackConfigurationProvider(File confDirectory, FileSystemImpl fileSystem, ConfVariables variables) {
        this.confDirectory = confDirectory;
        this.fileSystem = fileSystem;
        this.variables = variables;
    }

    @Override
    public HierarchicalConfiguration<ImmutableNode> getConfiguration(String component, LoggingLevel loggingLevelOnError) throws ConfigurationException {
        List<String> path = Splitter.on('.').splitToList(component);
        String fileName = "conf/" + path.get(0) + ".xml";
        Optional<XMLConfiguration> loaded = load(fileName, new File(confDirectory, path.get(0) + ".xml"));
        if (loaded.isEmpty()) {
            return new BaseHierarchicalConfiguration();
        }
        HierarchicalConfiguration<ImmutableNode> selected = loaded.get();
        for (String part : path.subList(1, path.size())) {
            selected = selected.configurationAt(part);
        }
        return selected;
    }

    private Optional<XMLConfiguration> load(String fileName, File file) throws ConfigurationException {
        if (!file.isFile()) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(file.toPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(fileName + ": cannot be read: " + e.getMessage(), e);
        }
        String substituted;
        try {
            substituted = variables.substitute(fileName, text, ConfVariables.Syntax.XML);
        } catch (ConfVariables.UndefinedVariableException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
        XMLConfiguration configuration = new XMLConfiguration();
        configuration.setListDelimiterHandler(new DisabledListDelimiterHandler());
        try {
            new FileHandler(configuration).load(new StringReader(substituted));
        } catch (ConfigurationException e) {
            throw new ConfigurationException(fileName + ": not well-formed XML: " + rootMessage(e), e);
        }
        ImmutableNode root = configuration.getNodeModel().getNodeHandler().getRootNode();
        checkTlsFiles(fileName, root, root.getNodeName());
        return Optional.of(configuration);
    }

    /** Walks the tree; {@code path} names the node like {@code smtpservers/smtpserver[2]/tls}. */
    private void checkTlsFiles(String fileName, ImmutableNode node, String path) throws ConfigurationException {
        if ("tls".equals(node.getNodeName()) && tlsEnabled(node)) {
            for (ImmutableNode child : node.getChildren()) {
                if (TLS_FILE_KEYS.contains(child.getNodeName()) && child.getValue() != null) {
                    checkReadable(fileName, path + "/" + child.getNodeName(), String.valueOf(child.getValue()).trim());
                }
            }
        }
        List<ImmutableNode> children = node.getChildren();
        for (int i = 0; i < children.size(); i++) {
            String name = children.get(i).getNodeName();
            long before = children.subList(0, i).stream().filter(c -> c.getNodeName().equals(name)).count();
            long total = children.stream().filter(c -> c.getNodeName().equals(name)).count();
            String childPath = (path.isEmpty() ? "" : path + "/") + name + (total > 1 ? "[" + (before + 1) + "]" : "");
            checkTlsFiles(fileName, children.get(i), childPath);
        }
    }

    private static boolean tlsEnabled(ImmutableNode tls) {
        return "true".equalsIgnoreCase(String.valueOf(tls.getAttributes().get("socketTLS")))
            || "true".equalsIgnoreCase(String.valueOf(tls.getAttributes().get("startTLS")));
    }

    private void checkReadable(String fileName, String key, String location) throws ConfigurationException {
        File target;
        try {
            target = fileSystem.getFile(location);
        } catch (IOException e) {
            throw new ConfigurationException(fileName + ": " + key + ": cannot resolve '" + location + "': " + e.getMessage(), e);
        }
        if (!target.isFile() || !target.canRead()) {
            throw new ConfigurationException(fileName + ": " + key + ": file '" + target.getAbsolutePath()
                + "' does not exist or is not readable");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
