package com.diegonmarcos.mailpack.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.mailbox.lucene.search.LenientImapSearchAnalyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.junit.jupiter.api.Test;

class ReusableLenientAnalyzerTest {
    private static final List<String> TEXTS = List.of(
        "Hello world",
        "Re: [mailpack] Invoice 2026-11 for diego@diegonmarcos.com is due",
        "one",
        "",
        "   leading and  trailing   whitespace\r\n second line\tand a tab ",
        "Grüße aus Köln, ÉTÉ à Paris: ünïcödé words and straße",
        "a b c d e f g h i j k l m n o p");

    @Test
    void producesJamesLenientTokensWhileReusingItsStreams() throws IOException {
        ReusableLenientAnalyzer reusable = new ReusableLenientAnalyzer();
        LenientImapSearchAnalyzer james = new LenientImapSearchAnalyzer();

        for (int round = 0; round < 2; round++) {
            for (String text : TEXTS) {
                List<String> ours = tokens(reusable.reusableTokenStream("body", new StringReader(text)));
                List<String> theirs = tokens(james.tokenStream("body", new StringReader(text)));
                assertThat(ours).as("tokens of %s", text).isEqualTo(theirs);
            }
        }
    }

    @Test
    void reusesTheStreamOfAThread() throws IOException {
        ReusableLenientAnalyzer reusable = new ReusableLenientAnalyzer();
        TokenStream first = reusable.reusableTokenStream("body", new StringReader("first text"));
        tokens(first);
        TokenStream second = reusable.reusableTokenStream("subject", new StringReader("second text"));

        assertThat(second).isSameAs(first);
        assertThat(tokens(second)).first().asString().startsWith("SECOND");
    }

    @Test
    void shinglesSpanUpToFourWordsUpperCased() throws IOException {
        List<String> terms = tokens(new ReusableLenientAnalyzer().reusableTokenStream("body", new StringReader("a b c d e")))
            .stream().map(token -> token.split("@")[0]).toList();

        assertThat(terms).contains("A", "A B", "A B C", "A B C D", "E").doesNotContain("A B C D E");
    }

    /** Each token as term@start-end+increment/type. */
    private static List<String> tokens(TokenStream stream) throws IOException {
        CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
        OffsetAttribute offset = stream.addAttribute(OffsetAttribute.class);
        PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
        TypeAttribute type = stream.addAttribute(TypeAttribute.class);
        List<String> tokens = new ArrayList<>();
        stream.reset();
        while (stream.incrementToken()) {
            tokens.add(term + "@" + offset.startOffset() + "-" + offset.endOffset() + "+" + increment.getPositionIncrement() + "/" + type.type());
        }
        stream.end();
        stream.close();
        return tokens;
    }
}
