package com.diegonmarcos.mailpack.modules.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.diegonmarcos.mailpack.modules.imap.CommandFraming.Outcome;
import com.diegonmarcos.mailpack.modules.imap.CommandFraming.Verdict;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class CommandFramingTest {
    static final CommandFraming.Limits BEFORE_LOGIN = ImapLimits.of(52_428_800, 65_536).unauthenticated();
    static final CommandFraming.Limits AFTER_LOGIN = ImapLimits.of(52_428_800, 65_536).authenticated();

    static Verdict scan(String command, CommandFraming.Limits limits) {
        return CommandFraming.scan(buffer(command), limits);
    }

    static ByteBuf buffer(String command) {
        return Unpooled.wrappedBuffer(command.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Nested
    class BeforeLogin {
        @Test
        void aLoginWithLiteralsIsWithin() {
            assertThat(scan("a1 LOGIN {5}\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
            assertThat(scan("a1 LOGIN {5}\r\nalice {100+}\r\n" + "p".repeat(100) + "\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
        }

        @Test
        void aHugeLiteralIsRefusedAtItsAnnouncement() {
            Verdict verdict = scan("a1 LOGIN {999999999}\r\n", BEFORE_LOGIN);
            assertThat(verdict.outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE);
            assertThat(verdict.tag()).isEqualTo("a1");
            assertThat(verdict.literalSize()).isEqualTo(999_999_999L);
            assertThat(verdict.synchronizing()).isTrue();
        }

        @Test
        void literalsCountTogetherWithTheLines() {
            assertThat(scan("a1 LOGIN {9000+}\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE);
            assertThat(scan("a1 LOGIN {8000+}\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
            assertThat(scan("a1 APPEND INBOX ~{9000}\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE); // literal8, RFC 3516
            assertThat(scan("a1 LOGIN {4100+}\r\n" + "u".repeat(4100) + " {4100+}\r\n", BEFORE_LOGIN).outcome())
                .isEqualTo(Outcome.LITERAL_TOO_LARGE);
            assertThat(scan("a1 LOGIN {4100+}\r\n" + "u".repeat(4100) + " {4100+}\r\n", BEFORE_LOGIN).synchronizing()).isFalse();
        }

        @Test
        void aLongLineWithOrWithoutItsEndIsRefused() {
            assertThat(scan("a1 CAPABILITY" + " x".repeat(5000) + "\r\n", BEFORE_LOGIN).outcome()).isEqualTo(Outcome.LINE_TOO_LONG);
            assertThat(scan("a1 CAPABILITY" + " x".repeat(5000), BEFORE_LOGIN).outcome()).isEqualTo(Outcome.LINE_TOO_LONG);
        }

        @Test
        void theRestOfALineAfterALiteralIsBoundedToo() {
            Verdict verdict = scan("a1 LOGIN {3+}\r\nabc" + "x".repeat(20_000), BEFORE_LOGIN);
            assertThat(verdict.outcome()).isEqualTo(Outcome.LINE_TOO_LONG);
            assertThat(verdict.tag()).isEqualTo("a1");
        }

        @Test
        void manyEmptyLiteralsAreRefused() {
            assertThat(scan("a1 ID (" + "{0}\r\n".repeat(2000), BEFORE_LOGIN).outcome()).isIn(Outcome.TOO_MANY_LITERALS, Outcome.LINE_TOO_LONG);
        }
    }

    @Nested
    class AfterLogin {
        @Test
        void anAppendUpToTheMessageSizeLimitIsWithin() {
            assertThat(scan("a2 APPEND INBOX {52428800}\r\n", AFTER_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
            assertThat(scan("a2 APPEND INBOX (\\Seen) {1048576+}\r\n" + "m".repeat(1000), AFTER_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
        }

        @Test
        void anAppendOverTheLimitIsRefusedWithWhereTheCommandEnds() {
            String header = "a2 APPEND INBOX {52428801}\r\n";
            Verdict verdict = scan(header, AFTER_LOGIN);
            assertThat(verdict.outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE);
            assertThat(verdict.synchronizing()).isTrue();
            assertThat(verdict.resumeAt()).isEqualTo(header.length());
        }

        @Test
        void theLiteralsDataIsNeverReadAsCommands() {
            // a literal whose content looks like a huge literal announcement
            String data = "x {999999999}\r\n";
            assertThat(scan("a2 APPEND INBOX {" + data.length() + "}\r\n" + data + "\r\n", AFTER_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
        }

        @Test
        void aSecondLiteralIsMeasuredAfterTheFirstsData() {
            String command = "a3 SEARCH CHARSET UTF-8 TEXT {3}\r\nabc FROM {52428800}\r\n";
            assertThat(scan(command, AFTER_LOGIN).outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE);
            assertThat(scan(command, AFTER_LOGIN).resumeAt()).isEqualTo(command.length());
        }

        @Test
        void tooManyLiteralsAreRefused() {
            assertThat(scan("a4 SEARCH" + " TEXT {1}\r\nx".repeat(65) + "\r\n", AFTER_LOGIN).outcome()).isEqualTo(Outcome.TOO_MANY_LITERALS);
            assertThat(scan("a4 SEARCH" + " TEXT {1}\r\nx".repeat(64) + "\r\n", AFTER_LOGIN).outcome()).isEqualTo(Outcome.WITHIN);
        }

        @Test
        void aLineAfterALiteralIsBoundedByMaxLineLength() {
            assertThat(scan("a5 LOGIN {3}\r\nabc " + "x".repeat(70_000), AFTER_LOGIN).outcome()).isEqualTo(Outcome.LINE_TOO_LONG);
        }
    }

    @Nested
    class Continuations {
        @Test
        void aSynchronizingLiteralWithNoDataYetIsAwaitedByItsOrdinal() {
            assertThat(scan("a1 LOGIN {5}\r\n", BEFORE_LOGIN).awaitedLiteral()).isEqualTo(1);
            assertThat(scan("a1 LOGIN {5}\r\nalice {100}\r\n", BEFORE_LOGIN).awaitedLiteral()).isEqualTo(2);
            assertThat(scan("a1 LOGIN {5}\r\nalice {0}\r\n", BEFORE_LOGIN).awaitedLiteral()).isEqualTo(2);
        }

        @Test
        void nothingIsAwaitedOnceDataArrivesForANonSynchronizingLiteralOrACompleteCommand() {
            assertThat(scan("a1 LOGIN {5}\r\nali", BEFORE_LOGIN).awaitedLiteral()).isZero();
            assertThat(scan("a1 LOGIN {5}\r\nalice {100+}\r\n", BEFORE_LOGIN).awaitedLiteral()).isZero();
            assertThat(scan("a1 LOGIN {5}\r\nalice secret\r\n", BEFORE_LOGIN).awaitedLiteral()).isZero();
            assertThat(scan("a1 NOOP\r\n", BEFORE_LOGIN).awaitedLiteral()).isZero();
        }
    }

    @Nested
    class Announcements {
        @Test
        void onlyABraceNumberBraceAtTheEndOfALineIsALiteral() {
            assertThat(announced("a LOGIN {12}\r\n")).isEqualTo(12);
            assertThat(announced("a LOGIN {12+}\r\n")).isEqualTo(12);
            assertThat(announced("a LOGIN {12}\n")).isEqualTo(12);
            assertThat(announced("a APPEND INBOX ~{7}\r\n")).isEqualTo(7);
            assertThat(announced("a LOGIN {}\r\n")).isEqualTo(-1);
            assertThat(announced("a LOGIN {+}\r\n")).isEqualTo(-1);
            assertThat(announced("a LOGIN {1a}\r\n")).isEqualTo(-1);
            assertThat(announced("a LOGIN {12} x\r\n")).isEqualTo(-1);
            assertThat(announced("a LOGIN 12}\r\n")).isEqualTo(-1);
            assertThat(announced("}\r\n")).isEqualTo(-1);
        }

        @Test
        void anAbsurdSizeDoesNotOverflow() {
            assertThat(announced("a LOGIN {99999999999999999999999999}\r\n")).isEqualTo(Long.MAX_VALUE);
            assertThat(scan("a LOGIN {99999999999999999999999999}\r\n", AFTER_LOGIN).outcome()).isEqualTo(Outcome.LITERAL_TOO_LARGE);
        }

        private long announced(String line) {
            ByteBuf buffer = buffer(line);
            return CommandFraming.announcedLiteral(buffer, 0, line.indexOf('\n'));
        }
    }

    @Nested
    class Tags {
        @Test
        void aValidTagIsEchoedAnythingElseIsAnsweredUntagged() {
            assertThat(CommandFraming.tag(buffer("A0001 LOGIN"))).isEqualTo("A0001");
            assertThat(CommandFraming.tag(buffer("a]b LOGIN"))).isEqualTo("a]b");
            assertThat(CommandFraming.tag(buffer(" LOGIN"))).isEqualTo("*");
            assertThat(CommandFraming.tag(buffer("a+1 LOGIN"))).isEqualTo("*");
            assertThat(CommandFraming.tag(buffer("a{1 LOGIN"))).isEqualTo("*");
            assertThat(CommandFraming.tag(buffer("a\r\nb LOGIN"))).isEqualTo("*");
            assertThat(CommandFraming.tag(buffer("x".repeat(65) + " LOGIN"))).isEqualTo("*");
            assertThat(CommandFraming.tag(buffer("CAPABILITY"))).isEqualTo("*");
        }

        @Test
        void theTagIsReadFromTheReaderIndex() {
            ByteBuf buffer = buffer("junk\r\nb7 NOOP\r\n");
            buffer.readerIndex(6);
            assertThat(CommandFraming.tag(buffer)).isEqualTo("b7");
        }
    }
}
