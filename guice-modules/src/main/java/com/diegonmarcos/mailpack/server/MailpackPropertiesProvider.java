package com.diegonmarcos.mailpack.server;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.convert.DefaultListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.james.utils.PropertiesProvider;

import com.google.common.base.Preconditions;

/**
 * {@code conf/<name>.properties} with {@code ${VARIABLE:-default}} substitution; errors name the file.
 */
public class MailpackPropertiesProvider extends PropertiesProvider {
    private final File confDirectory;
    private final ConfVariables variables;

    public MailpackPropertiesProvider(File confDirectory, FileSystemImpl fileSystem, ConfVariables variables) {
        super(fileSystem, new org.apache.james.server.core.configuration.Configuration.ConfigurationPath("file://conf/"));
        this.confDirectory = confDirectory;
        this.variables = variables;
    }

    @Override
    public Configuration getConfigurations(String... fileNames) throws FileNotFoundException, ConfigurationException {
        for (String fileName : fileNames) {
            if (file(fileName).isFile()) {
                return getConfiguration(fileName);
            }
        }
        throw fail(String.join(",", Arrays.asList(fileNames)) + " not found");
    }

    @Override
    public Configuration getConfiguration(String fileName) throws FileNotFoundException, ConfigurationException {
        Preconditions.checkArgument(fileName != null && !fileName.isEmpty());
        File file = file(fileName);
        if (!file.isFile()) {
            throw fail(fileName);
        }
        String displayName = "conf/" + file.getName();
        try {
            String text = variables.substitute(displayName, Files.readString(file.toPath(), StandardCharsets.UTF_8), ConfVariables.Syntax.PROPERTIES);
            PropertiesConfiguration configuration = new PropertiesConfiguration();
            configuration.setListDelimiterHandler(new DefaultListDelimiterHandler(','));
            new FileHandler(configuration).load(new StringReader(text));
            return configuration;
        } catch (IOException e) {
            throw new ConfigurationException(displayName + ": cannot be read: " + e.getMessage(), e);
        } catch (ConfVariables.UndefinedVariableException e) {
            throw new ConfigurationException(e.getMessage(), e);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(displayName + ": " + e.getMessage(), e);
        }
    }

    private File file(String fileName) {
        return new File(confDirectory, fileName + ".properties");
    }
}
