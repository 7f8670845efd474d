package com.diegonmarcos.mailpack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConfVariablesTest {
    static ConfVariables variables(Map<String, String> overrides, Map<String, String> environment, Map<String, String> file) {
        return ConfVariables.resolve("/srv/mail", overrides, Map.of(), environment, file);
    }

    @Nested
    class Precedence {
        @Test
        void overrideWinsOverEnvironmentWhichWinsOverFile() {
            ConfVariables vars = variables(Map.of("A", "override"), Map.of("A", "env", "B", "env"), Map.of("A", "file", "B", "file", "C", "file"));
            assertThat(vars.get("A")).contains("override");
            assertThat(vars.get("B")).contains("env");
            assertThat(vars.get("C")).contains("file");
        }

        @Test
        void homeCannotBeOverridden() {
            assertThat(variables(Map.of(ConfVariables.HOME, "/elsewhere"), Map.of(), Map.of()).get(ConfVariables.HOME)).contains("/srv/mail");
        }

        @Test
        void unprivilegedProfileProvidesHighPortsButExplicitPortsWin() {
            ConfVariables vars = variables(Map.of(), Map.of(ConfVariables.PORTS, "unprivileged", "MAILPACK_IMAPS_PORT", "10993"), Map.of());
            assertThat(vars.get("MAILPACK_SMTP_PORT")).contains("2525");
            assertThat(vars.get("MAILPACK_IMAPS_PORT")).contains("10993");
        }

        @Test
        void standardProfileLeavesTheFileDefaults() {
            assertThat(variables(Map.of(), Map.of(), Map.of()).substitute("f", "${MAILPACK_SMTP_PORT:-25}", ConfVariables.Syntax.XML)).isEqualTo("25");
        }

        @Test
        void unknownProfileIsRejected() {
            assertThatThrownBy(() -> variables(Map.of(ConfVariables.PORTS, "high"), Map.of(), Map.of()))
                .hasMessageContaining("MAILPACK_PORTS must be 'standard' or 'unprivileged', got 'high'");
        }

        @Test
        void blankValuesCountAsUnset() {
            assertThat(variables(Map.of("A", "  "), Map.of("A", "env"), Map.of()).get("A")).contains("env");
        }
    }

    @Nested
    class Substitution {
        ConfVariables vars = variables(Map.of("PORT", "2525", "DOLLAR", "a$1\\b"), Map.of(), Map.of());

        @Test
        void replacesValuesAndDefaults() {
            assertThat(vars.substitute("f", "<bind>${HOST:-0.0.0.0}:${PORT:-25}</bind>", ConfVariables.Syntax.XML))
                .isEqualTo("<bind>0.0.0.0:2525</bind>");
        }

        @Test
        void valuesAreInsertedLiterally() {
            assertThat(vars.substitute("f", "x=${DOLLAR}", ConfVariables.Syntax.PROPERTIES)).isEqualTo("x=a$1\\b");
        }

        @Test
        void undefinedVariableNamesTheFileAndTheVariable() {
            assertThatThrownBy(() -> vars.substitute("conf/x.xml", "<a>${NOPE}</a>", ConfVariables.Syntax.XML))
                .isInstanceOf(ConfVariables.UndefinedVariableException.class)
                .hasMessageStartingWith("conf/x.xml: variable ${NOPE} has no value and no default");
        }

        @Test
        void xmlCommentsAreLeftAlone() {
            assertThat(vars.substitute("f", "<!-- ${NOPE} -->\n<a>${PORT}</a><!--\n${ALSO_NOPE}\n-->", ConfVariables.Syntax.XML))
                .isEqualTo("<!-- ${NOPE} -->\n<a>2525</a><!--\n${ALSO_NOPE}\n-->");
        }

        @Test
        void propertiesCommentsAreLeftAlone() {
            assertThat(vars.substitute("f", "# ${NOPE}\n  ! ${NOPE}\nport=${PORT}\n", ConfVariables.Syntax.PROPERTIES))
                .isEqualTo("# ${NOPE}\n  ! ${NOPE}\nport=2525\n");
        }

        @Test
        void textWithoutReferencesIsUnchanged() {
            String text = "<a href=\"$x\">{y}</a> $ { }";
            assertThat(vars.substitute("f", text, ConfVariables.Syntax.XML)).isEqualTo(text);
        }
    }
}
