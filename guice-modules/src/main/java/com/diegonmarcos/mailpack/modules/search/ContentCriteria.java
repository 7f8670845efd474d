package com.diegonmarcos.mailpack.modules.search;

import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.model.SearchQuery.DateOperator;
import org.apache.james.mailbox.model.SearchQuery.DateResolution;
import org.apache.james.mailbox.model.SearchQuery.HeaderCriterion;

import com.diegonmarcos.mailpack.modules.search.MessageText.HeaderField;

/**
 * The search criteria answered from a message's content instead of the index, and how: the string
 * keys as substring matches ({@link SubstringMatcher} on {@link MessageText}) and the sent-date keys
 * on the Date: header's own day ({@link SentDate}). Other criteria (flags, UIDs, internal dates,
 * sizes, existence of a header, attachments…) are not content criteria and stay with the index.
 *
 * <p>A message without a Date: header that names a day is taken as sent on the day of its internal
 * date (UTC, as {@code ON}/{@code SINCE}/{@code BEFORE} take it). RFC 3501 and RFC 9051 §6.4.4 say
 * nothing of this case; RFC 5256 §2.2 takes the internal date as the sent date for {@code SORT},
 * and a client sorting and searching by date then sees the same day in both.
 */
public final class ContentCriteria {
    public static final String DATE_HEADER = "Date";

    /** A stored message, read only as far as a test needs. */
    public interface StoredMessage {
        /** the message's own header fields, decoded */
        List<HeaderField> header() throws IOException;

        /** the day it was sent ({@link #sentDay(List, Date)}) */
        LocalDate sentDay() throws IOException;

        InputStream full() throws IOException;
    }

    /** The test of one content criterion. */
    public interface ContentTest {
        /** whether it reads beyond the header */
        boolean readsBody();

        /** the one header field it reads ({@link #DATE_HEADER} for the sent day); null when it reads the body */
        String headerName();

        boolean test(StoredMessage message) throws IOException;
    }

    private ContentCriteria() {
    }

    /** The day of the first Date: field that names one, else the internal date's day in UTC. */
    public static LocalDate sentDay(List<HeaderField> header, Date internalDate) {
        return header.stream()
            .filter(field -> field.name().equalsIgnoreCase(DATE_HEADER))
            .findFirst()
            .flatMap(field -> SentDate.of(field.value()))
            .orElseGet(() -> internalDate.toInstant().atZone(ZoneOffset.UTC).toLocalDate());
    }

    /** Whether {@code criterion} or one it combines is a content criterion. */
    public static boolean readsContent(Criterion criterion) {
        if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction) {
            return conjunction.getCriteria().stream().anyMatch(ContentCriteria::readsContent);
        }
        return test(criterion).isPresent();
    }

    /** The test of a content criterion; empty for any other (and for conjunctions). */
    public static Optional<ContentTest> test(Criterion criterion) {
        if (criterion instanceof SearchQuery.TextCriterion text) {
            return textTest(text);
        }
        if (criterion instanceof SearchQuery.SubjectCriterion subject) {
            return Optional.of(headerContains("Subject", subject.getSubject()));
        }
        if (criterion instanceof HeaderCriterion header) {
            return headerTest(header);
        }
        return Optional.empty();
    }

    private static Optional<ContentTest> textTest(SearchQuery.TextCriterion text) {
        MessageText.Scope scope;
        switch (text.getType()) {
            case BODY -> scope = MessageText.Scope.BODY;
            case FULL -> scope = MessageText.Scope.TEXT;
            default -> {
                return Optional.empty(); // attachment content and names: the index's
            }
        }
        SubstringMatcher matcher = SubstringMatcher.of(text.getOperator().getValue());
        return Optional.of(new ContentTest() {
            @Override
            public boolean readsBody() {
                return true;
            }

            @Override
            public String headerName() {
                return null;
            }

            @Override
            public boolean test(StoredMessage message) throws IOException {
                try (InputStream in = message.full()) {
                    return MessageText.contains(in, matcher, scope);
                }
            }
        });
    }

    private static Optional<ContentTest> headerTest(HeaderCriterion header) {
        SearchQuery.HeaderOperator operator = header.getOperator();
        if (operator instanceof SearchQuery.ContainsOperator contains) {
            return Optional.of(headerContains(header.getHeaderName(), contains.getValue()));
        }
        if (operator instanceof SearchQuery.AddressOperator address) {
            return Optional.of(headerContains(header.getHeaderName(), address.getAddress()));
        }
        if (operator instanceof DateOperator date && DATE_HEADER.equalsIgnoreCase(header.getHeaderName())
            && date.getDateResultion() == DateResolution.Day) {
            return Optional.of(sentDate(date));
        }
        return Optional.empty();
    }

    private static ContentTest headerContains(String name, String value) {
        SubstringMatcher matcher = SubstringMatcher.of(value);
        return headerTest(name, message -> message.header().stream()
            .anyMatch(field -> field.name().equalsIgnoreCase(name) && matcher.in(field.value())));
    }

    private static ContentTest sentDate(DateOperator operator) {
        LocalDate day = operator.getDate().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
        return headerTest(DATE_HEADER, message -> {
            LocalDate sent = message.sentDay();
            return switch (operator.getType()) {
                case BEFORE -> sent.isBefore(day);
                case AFTER -> sent.isAfter(day);
                case ON -> sent.isEqual(day);
            };
        });
    }

    private interface HeaderPredicate {
        boolean test(StoredMessage message) throws IOException;
    }

    private static ContentTest headerTest(String name, HeaderPredicate predicate) {
        return new ContentTest() {
            @Override
            public boolean readsBody() {
                return false;
            }

            @Override
            public String headerName() {
                return name;
            }

            @Override
            public boolean test(StoredMessage message) throws IOException {
                return predicate.test(message);
            }
        };
    }
}
